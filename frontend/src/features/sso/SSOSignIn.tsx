import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import { newBinding } from "./binding";
import { useStartSSO } from "./hooks";

/** go sends the browser to the identity provider (replaced in tests). */
export const navigation = { go: (url: string) => window.location.assign(url) };

/**
 * SSOSignIn is the login page's "Sign in with SSO": it asks for the work
 * address, whose domain picks the organisation's identity provider, and
 * sends the browser there.
 */
export function SSOSignIn() {
  const start = useStartSSO();
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const hash = await newBinding();
      const res = await start.mutateAsync({ email: email.trim(), browserBindingHash: hash });
      navigation.go(res.authorizationUrl);
    } catch {
      setBusy(false); // start.error says why
    }
  };

  if (!open) {
    return (
      <button type="button" className="btn btn-block" onClick={() => setOpen(true)}>
        Sign in with SSO
      </button>
    );
  }
  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Sign in with SSO">
      <TextField
        label="Work email"
        type="email"
        name="sso-email"
        autoComplete="username"
        required
        autoFocus
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        hint="Your organisation's identity provider signs you in."
      />
      <ErrorMessage error={start.error} />
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy ? "Redirecting…" : "Continue with SSO"}
      </button>
    </form>
  );
}
