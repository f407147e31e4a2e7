import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { Notice } from "../components/Feedback";
import { AuthCard } from "../features/auth/AuthCard";
import { ResetPasswordForm } from "../features/auth/PasswordResetForms";

/** /reset-password?token= (the link of the reset mail) */
export default function ResetPasswordRoute() {
  const [params] = useSearchParams();
  const [done, setDone] = useState(false);
  return (
    <AuthCard
      title="Choose a new password"
      intro="The link from the mail works once."
      footer={
        <>
          Back to <Link to="/login">sign in</Link>
        </>
      }
    >
      {done ? (
        <Notice>
          Your password is changed and every session is signed out. <Link to="/login">Sign in</Link> with the new one.
        </Notice>
      ) : (
        <ResetPasswordForm token={params.get("token") ?? ""} onDone={() => setDone(true)} />
      )}
    </AuthCard>
  );
}
