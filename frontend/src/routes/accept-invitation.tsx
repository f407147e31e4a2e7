import { Link, useNavigate, useSearchParams } from "react-router";
import { AcceptInvitationForm } from "../features/auth/AcceptInvitationForm";
import { AuthCard } from "../features/auth/AuthCard";

/** /accept-invitation?token= */
export default function AcceptInvitationRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  return (
    <AuthCard
      title="Join your team"
      intro="You have been invited to Wegweiser. Choose a password to finish."
      footer={
        <>
          Already joined? <Link to="/login">Sign in</Link>
        </>
      }
    >
      <AcceptInvitationForm
        token={params.get("token") ?? ""}
        onAccepted={() => navigate("/", { replace: true })}
      />
    </AuthCard>
  );
}
