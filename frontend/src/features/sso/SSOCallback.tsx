import { useEffect, useRef } from "react";
import { Link, Navigate, useSearchParams } from "react-router";
import { ErrorMessage } from "../../components/Feedback";
import { AuthCard } from "../auth/AuthCard";
import { takeBinding } from "./binding";
import { useCompleteSSO } from "./hooks";

/** REASONS explains the callback's short error reasons. */
const REASONS: Record<string, string> = {
  invalid_state: "This sign-in link was already used or is not valid. Start again.",
  expired: "The sign-in took too long. Start again.",
  access_denied: "The identity provider did not sign you in.",
  provider_error: "The identity provider could not be reached or refused the sign-in.",
  invalid_token: "The identity provider's answer could not be verified.",
  email_not_verified: "The identity provider did not confirm your email address.",
  not_allowed: "Your account is not a member of this organisation. Ask an owner to invite you.",
  disabled: "Your account is disabled in this organisation.",
};

/** SSOCallback is /login/sso: it redeems the callback's one-time code with this tab's binding. */
export function SSOCallback() {
  const [params] = useSearchParams();
  const complete = useCompleteSSO();
  const code = params.get("code") ?? "";
  const reason = params.get("error") ?? "";
  const sent = useRef(false);

  useEffect(() => {
    if (!code || sent.current) return;
    sent.current = true;
    complete.mutate({ code, browserBinding: takeBinding() });
  }, [code, complete]);

  if (complete.isSuccess) return <Navigate to="/" replace />;
  const failed = reason !== "" || complete.isError || !code;
  return (
    <AuthCard title="Single sign-on">
        {!failed && <p>Signing you in…</p>}
        {reason && (
          <div className="alert alert-error" role="alert">
            {REASONS[reason] ?? "The sign-in failed."}
          </div>
        )}
        {!reason && !code && (
          <div className="alert alert-error" role="alert">
            No sign-in code: start again.
          </div>
        )}
        <ErrorMessage error={complete.error} title="The sign-in failed." />
        {failed && <Link to="/login">Back to sign in</Link>}
    </AuthCard>
  );
}
