import { Link, Navigate } from "react-router";
import { AuthCard } from "../features/auth/AuthCard";
import { useAuthConfig, useSession } from "../features/auth/hooks";
import { SignUpForm } from "../features/auth/SignUpForm";

/** /signup */
export default function SignUpRoute() {
  const { tokens } = useSession();
  const config = useAuthConfig();
  if (tokens) return <Navigate to="/" replace />;
  const closed = config.data && !config.data.publicSignup;
  return (
    <AuthCard
      title="Create your account"
      intro="Set up Wegweiser for your MSP. You will be its owner and can invite your team later."
      footer={
        <>
          Already have an account? <Link to="/login">Sign in</Link>
        </>
      }
    >
      {closed ? (
        <div className="alert alert-warn" role="status">
          Sign-up is turned off on this server. Ask your administrator for an invitation.
        </div>
      ) : (
        <SignUpForm />
      )}
    </AuthCard>
  );
}
