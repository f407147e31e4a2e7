import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import { useSignUp } from "./hooks";

/** MIN_PASSWORD_LENGTH mirrors the server's rule (10 to 256 characters). */
export const MIN_PASSWORD_LENGTH = 10;

/** SignUpForm creates a tenant (the MSP) and its owner. */
export function SignUpForm() {
  const signUp = useSignUp();
  const [tenantName, setTenantName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signUp.mutate({
      tenantName: tenantName.trim(),
      displayName: displayName.trim(),
      email: email.trim(),
      password,
    });
  };

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
      <button type="submit" className="btn btn-primary btn-block" disabled={signUp.isPending}>
        {signUp.isPending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
