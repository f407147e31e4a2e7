import { Link, Navigate, useSearchParams } from "react-router";
import { AuthCard } from "../features/auth/AuthCard";
import { useSession } from "../features/auth/hooks";
import { LoginForm } from "../features/auth/LoginForm";
import { safeNext } from "./safe-next";

/** /login */
export default function LoginRoute() {
  const { tokens } = useSession();
  const [params] = useSearchParams();
  if (tokens) return <Navigate to={safeNext(params.get("next"))} replace />;
  return (
    <AuthCard
      title="Sign in"
      intro="Health scores for every customer, site and device you look after."
      footer={
        <>
          New to Wegweiser? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <LoginForm />
    </AuthCard>
  );
}
