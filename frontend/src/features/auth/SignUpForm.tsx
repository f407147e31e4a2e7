import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage, Notice } from "../../components/Feedback";
import { useLogin, useSignUp } from "./hooks";

/** MIN_PASSWORD_LENGTH mirrors the server's rule (10 to 256 characters). */
export const MIN_PASSWORD_LENGTH = 10;

/**
 * SignUpForm creates a tenant (the MSP) and its owner, then signs in with
 * the same credentials. The server answers sign-up alike for new and taken
 * emails (and mails the owner of a taken one), so when signing in fails the
 * form only says to check the mailbox.
 */
export function SignUpForm() {
  const signUp = useSignUp();
  const login = useLogin();
  const [sentTo, setSentTo] = useState("");
  const [tenantName, setTenantName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const address = email.trim();
    signUp.mutate(
      { tenantName: tenantName.trim(), displayName: displayName.trim(), email: address, password },
      {
        onSuccess: () =>
          login.mutate({ email: address, password }, { onError: () => setSentTo(address) }),
      },
    );
  };

  if (sentTo) {
    return (
      <Notice>
        We sent a mail to <strong>{sentTo}</strong>. Follow it to continue. If you already have an account,{" "}
        <a href="/login">sign in</a> or <a href="/forgot-password">reset your password</a>.
      </Notice>
    );
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Create account">
      <TextField
        label="Company name"
        name="tenantName"
        autoComplete="organization"
        hint="Your MSP, as your team and customers know it."
        required
        maxLength={200}
        autoFocus
        value={tenantName}
        onChange={(e) => setTenantName(e.target.value)}
      />
      <TextField
        label="Your name"
        name="displayName"
        autoComplete="name"
        hint="Optional."
        value={displayName}
        onChange={(e) => setDisplayName(e.target.value)}
      />
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="username"
        required
        maxLength={254}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="new-password"
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        required
        minLength={MIN_PASSWORD_LENGTH}
        maxLength={256}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <ErrorMessage error={signUp.error} />
      <button type="submit" className="btn btn-primary btn-block" disabled={signUp.isPending || login.isPending}>
        {signUp.isPending || login.isPending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
