import { Link, useSearchParams } from "react-router";
import { AuthCard } from "../features/auth/AuthCard";
import { VerifyEmail } from "../features/auth/VerifyEmail";

/** /verify-email?token= (the link of the verification mail) */
export default function VerifyEmailRoute() {
  const [params] = useSearchParams();
  return (
    <AuthCard
      title="Confirm your email"
      footer={
        <>
          Continue to <Link to="/">your dashboard</Link>
        </>
      }
    >
      <VerifyEmail token={params.get("token") ?? ""} />
    </AuthCard>
  );
}
