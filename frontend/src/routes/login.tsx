import { Link, Navigate, useSearchParams } from "react-router";
import { AuthCard } from "../features/auth/AuthCard";
import { useAuthConfig, useSession } from "../features/auth/hooks";
import { LoginForm } from "../features/auth/LoginForm";
import { SSOSignIn } from "../features/sso/SSOSignIn";
import { safeNext } from "./safe-next";

/** /login */
export default function LoginRoute() {
  const { tokens } = useSession();
  const [params] = useSearchParams();
  const config = useAuthConfig();
  if (tokens) return <Navigate to={safeNext(params.get("next"))} replace />;
  return (
    <AuthCard
      title="Sign in"
      intro="Health scores for every customer, site and device you look after."
      footer={
        <>
          <Link to="/forgot-password">Forgot your password?</Link>
          {config.data?.publicSignup && (
            <>
              {" "}
              · New to Wegweiser? <Link to="/signup">Create an account</Link>
            </>
          )}
        </>
      }
    >
      <LoginForm />
      {config.data?.singleSignOn && <SSOSignIn />}
    </AuthCard>
  );
}
