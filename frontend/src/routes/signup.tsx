import { Link, Navigate } from "react-router";
import { AuthCard } from "../features/auth/AuthCard";
import { useSession } from "../features/auth/hooks";
import { SignUpForm } from "../features/auth/SignUpForm";

/** /signup */
export default function SignUpRoute() {
  const { tokens } = useSession();
  if (tokens) return <Navigate to="/" replace />;
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
      <SignUpForm />
    </AuthCard>
  );
}
