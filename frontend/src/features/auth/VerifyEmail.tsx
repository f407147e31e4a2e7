import { useEffect, useRef } from "react";
import { ErrorMessage, Loading, Notice } from "../../components/Feedback";
import { useResendVerification, useVerifyEmail, useViewer } from "./hooks";

/** VerifyEmail confirms the address with the token of the mailed link, once. */
export function VerifyEmail({ token }: { token: string }) {
  const verify = useVerifyEmail();
  const sent = useRef(false);
  useEffect(() => {
    if (token && !sent.current) {
      sent.current = true;
      verify.mutate({ verificationToken: token });
    }
  }, [token, verify]);

  if (!token) {
    return (
      <div className="alert alert-error" role="alert">
        This page needs the link from the verification mail.
      </div>
    );
  }
  if (verify.isSuccess) return <Notice>Your email address is confirmed. Thank you.</Notice>;
  if (verify.isError) return <ErrorMessage error={verify.error} title="Cannot confirm the address" />;
  return <Loading label="Confirming your email address…" />;
}

/** VerifyEmailBanner asks a signed-in user with an unverified address to confirm it. */
export function VerifyEmailBanner() {
  const viewer = useViewer();
  const resend = useResendVerification();
  if (!viewer.user || viewer.user.emailVerified) return null;
  return (
    <div className="alert alert-warn" role="status" aria-label="Email not confirmed" style={{ marginBottom: "1rem" }}>
      Please confirm your email address: we sent a link to <strong>{viewer.user.email}</strong>.{" "}
      {resend.isSuccess ? (
        "A new link is on its way."
      ) : (
        <button type="button" className="btn btn-small" disabled={resend.isPending} onClick={() => resend.mutate({})}>
          Send the link again
        </button>
      )}
    </div>
  );
}
