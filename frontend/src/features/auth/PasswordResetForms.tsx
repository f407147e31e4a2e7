import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage, Notice } from "../../components/Feedback";
import { useRequestPasswordReset, useResetPassword } from "./hooks";
import { MIN_PASSWORD_LENGTH } from "./SignUpForm";

/**
 * ForgotPasswordForm asks for a reset link. The server answers alike
 * whether or not the email has an account, and so does the form.
 */
export function ForgotPasswordForm() {
  const request = useRequestPasswordReset();
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const address = email.trim();
    request.mutate({ email: address }, { onSuccess: () => setSentTo(address) });
  };

  if (sentTo) {
    return (
      <Notice>
        If <strong>{sentTo}</strong> has a Wegweiser account, a link to reset its password is on its way. It works once,
        for one hour.
      </Notice>
    );
  }
  return (
    <form className="form" onSubmit={submit} aria-label="Reset password">
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="username"
        required
        autoFocus
        maxLength={254}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <ErrorMessage error={request.error} />
      <button type="submit" className="btn btn-primary btn-block" disabled={request.isPending}>
        {request.isPending ? "Sending…" : "Send reset link"}
      </button>
    </form>
  );
}

/** ResetPasswordForm sets a new password with the token of a mailed link. */
export function ResetPasswordForm({ token, onDone }: { token: string; onDone: () => void }) {
  const reset = useResetPassword();
  const [password, setPassword] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    reset.mutate({ resetToken: token, password }, { onSuccess: onDone });
  };

  if (!token) {
    return (
      <div className="alert alert-error" role="alert">
        This page needs the link from the reset mail. <a href="/forgot-password">Ask for a new one</a>.
      </div>
    );
  }
  return (
    <form className="form" onSubmit={submit} aria-label="Choose a new password">
      <TextField
        label="New password"
        type="password"
        name="password"
        autoComplete="new-password"
        hint={`At least ${MIN_PASSWORD_LENGTH} characters. Setting it signs you out everywhere.`}
        required
        autoFocus
        minLength={MIN_PASSWORD_LENGTH}
        maxLength={256}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <ErrorMessage error={reset.error} />
      <button type="submit" className="btn btn-primary btn-block" disabled={reset.isPending}>
        {reset.isPending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}
