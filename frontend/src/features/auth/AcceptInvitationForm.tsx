import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import { useAcceptInvitation } from "./hooks";
import { MIN_PASSWORD_LENGTH } from "./SignUpForm";

/** AcceptInvitationForm activates an invitation and signs the member in. */
export function AcceptInvitationForm({ token, onAccepted }: { token: string; onAccepted: () => void }) {
  const accept = useAcceptInvitation();
  const [invitationToken, setInvitationToken] = useState(token);
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    accept.mutate(
      { invitationToken: invitationToken.trim(), displayName: displayName.trim(), password },
      { onSuccess: onAccepted },
    );
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Accept invitation">
      {!token && (
        <TextField
          label="Invitation token"
          name="invitationToken"
          required
          autoComplete="off"
          value={invitationToken}
          onChange={(e) => setInvitationToken(e.target.value)}
        />
      )}
      <TextField
        label="Your name"
        name="displayName"
        autoComplete="name"
        hint="Optional."
        value={displayName}
        onChange={(e) => setDisplayName(e.target.value)}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="new-password"
        hint={`At least ${MIN_PASSWORD_LENGTH} characters. If you already have a verified Wegweiser account, your password stays as it is.`}
        required
        maxLength={256}
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <ErrorMessage error={accept.error} />
      <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending}>
        {accept.isPending ? "Joining…" : "Accept invitation"}
      </button>
    </form>
  );
}
