import { createClient } from "@connectrpc/connect";
import { useTransport } from "@connectrpc/connect-query";
import { useState, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import { AuthService, SecondFactorKind } from "../../gen/wegweiser/v1/auth_pb";
import { getPasskey, passkeysSupported } from "../../lib/webauthn";
import { useLogin, useSession } from "./hooks";
import { tokenPairFrom } from "./tokens";

/** LoginForm signs in with email and password (and a second factor when the account has one) or with a passkey. */
export function LoginForm() {
  const login = useLogin();
  const { signIn } = useSession();
  const transport = useTransport();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [passkeyError, setPasskeyError] = useState<unknown>(null);
  const [passkeyBusy, setPasskeyBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email: email.trim(), password });
  };

  const withPasskey = async () => {
    setPasskeyError(null);
    setPasskeyBusy(true);
    try {
      const client = createClient(AuthService, transport);
      const begin = await client.beginPasskeySignIn({});
      const assertion = await getPasskey(begin.requestOptionsJson);
      const res = await client.finishPasskeySignIn({ challengeId: begin.challengeId, assertionJson: assertion });
      signIn(tokenPairFrom(res));
    } catch (err) {
      setPasskeyError(err);
    } finally {
      setPasskeyBusy(false);
    }
  };

  if (login.data?.secondFactorRequired) {
    return <SecondFactorStep signInToken={login.data.signInToken} kinds={login.data.secondFactors} onCancel={() => login.reset()} />;
  }

  return (
    <>
      <form className="form" onSubmit={submit} aria-label="Sign in">
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="username webauthn"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorMessage error={login.error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {passkeysSupported() && (
        <div className="form">
          <ErrorMessage error={passkeyError} />
          <button type="button" className="btn btn-block" onClick={() => void withPasskey()} disabled={passkeyBusy}>
            {passkeyBusy ? "Waiting for your passkey…" : "Sign in with a passkey"}
          </button>
        </div>
      )}
    </>
  );
}

/** SecondFactorStep finishes a password sign-in with a passkey, an authenticator-app code or a recovery code. */
export function SecondFactorStep({
  signInToken,
  kinds,
  onCancel,
}: {
  signInToken: string;
  kinds: SecondFactorKind[];
  onCancel: () => void;
}) {
  const { signIn } = useSession();
  const transport = useTransport();
  const [mode, setMode] = useState<"totp" | "recovery">(kinds.includes(SecondFactorKind.TOTP) ? "totp" : "recovery");
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const finish = async (factor: Parameters<ReturnType<typeof createClient<typeof AuthService>>["finishSecondFactor"]>[0]["factor"]) => {
    setError(null);
    setBusy(true);
    try {
      const res = await createClient(AuthService, transport).finishSecondFactor({ signInToken, factor });
      signIn(tokenPairFrom(res));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const withPasskey = async () => {
    setError(null);
    try {
      const begin = await createClient(AuthService, transport).beginSecondFactor({ signInToken });
      if (!begin.passkeyRequestOptionsJson) throw new Error("This account has no passkey.");
      const assertion = await getPasskey(begin.passkeyRequestOptionsJson);
      await finish({ case: "passkeyAssertionJson", value: assertion });
    } catch (err) {
      setError(err);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = code.trim();
    void finish(mode === "totp" ? { case: "totpCode", value } : { case: "recoveryCode", value });
  };

  return (
    <div className="form" aria-label="Second factor">
      <p>Confirm it is you with your second factor.</p>
      {kinds.includes(SecondFactorKind.PASSKEY) && (
        <button type="button" className="btn btn-primary btn-block" onClick={() => void withPasskey()} disabled={busy}>
          Use your passkey
        </button>
      )}
      <form className="form" onSubmit={submit} aria-label={mode === "totp" ? "Authenticator code" : "Recovery code"}>
        <TextField
          label={mode === "totp" ? "Code from your authenticator app" : "Recovery code"}
          name="code"
          inputMode={mode === "totp" ? "numeric" : "text"}
          autoComplete="one-time-code"
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <ErrorMessage error={error} />
        <button type="submit" className="btn btn-block" disabled={busy}>
          {busy ? "Checking…" : "Continue"}
        </button>
      </form>
      <div className="row">
        {kinds.includes(SecondFactorKind.TOTP) && mode !== "totp" && (
          <button type="button" className="btn btn-link" onClick={() => setMode("totp")}>
            Use your authenticator app
          </button>
        )}
        {kinds.includes(SecondFactorKind.RECOVERY_CODE) && mode !== "recovery" && (
          <button type="button" className="btn btn-link" onClick={() => setMode("recovery")}>
            Use a recovery code
          </button>
        )}
        <button type="button" className="btn btn-link" onClick={onCancel}>
          Back
        </button>
      </div>
    </div>
  );
}
