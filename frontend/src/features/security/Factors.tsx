import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { useQuery, useTransport } from "@connectrpc/connect-query";
import { useState, type FormEvent } from "react";
import { CopyButton } from "../../components/Copy";
import { ErrorMessage, Notice, QueryState } from "../../components/Feedback";
import { TextField } from "../../components/Fields";
import { RelativeTime } from "../../components/RelativeTime";
import { SecurityService, type BeginTotpEnrollmentResponse, type Passkey } from "../../gen/wegweiser/v1/security_pb";
import { downloadFile } from "../../lib/download";
import { createPasskey, getPasskey, passkeysSupported } from "../../lib/webauthn";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";

/** needsReauth tells a "recent sign-in required" refusal apart. */
export function needsReauth(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.FailedPrecondition && /recent sign-in required/i.test(err.rawMessage);
}

/** Factors lists and manages the caller's passkeys, authenticator app and recovery codes. */
export function Factors() {
  const transport = useTransport();
  const client = createClient(SecurityService, transport);
  const factors = useQuery(SecurityService.method.listFactors, {});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [codes, setCodes] = useState<string[]>([]);
  const [reauth, setReauth] = useState<null | (() => Promise<void>)>(null);
  const [totp, setTotp] = useState<BeginTotpEnrollmentResponse | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);

  // run performs a factor change; a "recent sign-in required" refusal asks
  // the user to confirm it is them and then retries.
  const run = async (action: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await action();
      await factors.refetch();
    } catch (err) {
      if (needsReauth(err)) setReauth(() => action);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const addPasskey = () =>
    run(async () => {
      const begin = await client.beginPasskeyRegistration({});
      const credential = await createPasskey(begin.creationOptionsJson);
      const name = navigator.platform ? `Passkey on ${navigator.platform}` : "Passkey";
      const res = await client.finishPasskeyRegistration({ challengeId: begin.challengeId, name, credentialJson: credential });
      if (res.recoveryCodes.length) setCodes(res.recoveryCodes);
    });

  return (
    <section className="card" aria-labelledby="factors-heading">
      <h2 id="factors-heading">Second factors</h2>
      <QueryState query={factors}>
        {(f) => (
          <>
            {f.secondFactorRequired && f.passkeys.length === 0 && !f.totpEnabled && (
              <Notice>Your organisation requires a second factor: add a passkey or an authenticator app to continue.</Notice>
            )}
            <ErrorMessage error={error} />
            {reauth && (
              <Reauthenticate
                onDone={async () => {
                  const retry = reauth;
                  setReauth(null);
                  await run(retry);
                }}
                onCancel={() => setReauth(null)}
              />
            )}
            {codes.length > 0 && <RecoveryCodes codes={codes} onDone={() => setCodes([])} />}

            <h3>Passkeys</h3>
            {f.passkeys.length === 0 ? (
              <p>No passkeys yet. A passkey signs you in with your device's screen lock, without a password.</p>
            ) : (
              <ul className="list" aria-label="Passkeys">
                {f.passkeys.map((p: Passkey) => (
                  <li key={p.id} className="row">
                    {renaming === p.id ? (
                      <RenameForm
                        passkey={p}
                        onSave={(name) => run(async () => { await client.renamePasskey({ passkeyId: p.id, name }); setRenaming(null); })}
                        onCancel={() => setRenaming(null)}
                      />
                    ) : (
                      <>
                        <strong>{p.name}</strong>
                        <span className="muted">
                          added <RelativeTime value={p.createTime} />
                          {p.lastUseTime && (
                            <>
                              , last used <RelativeTime value={p.lastUseTime} />
                            </>
                          )}
                          {p.backupEligible && ", synced"}
                        </span>
                        <button type="button" className="btn btn-small" onClick={() => setRenaming(p.id)}>
                          Rename
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          disabled={busy}
                          onClick={() => void run(async () => { await client.deletePasskey({ passkeyId: p.id }); })}
                        >
                          Remove {p.name}
                        </button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {passkeysSupported() ? (
              <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void addPasskey()}>
                Add a passkey
              </button>
            ) : (
              <p className="muted">This browser cannot create passkeys here.</p>
            )}

            <h3>Authenticator app</h3>
            {f.totpEnabled ? (
              <p>
                An authenticator app is set up.{" "}
                <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => void run(async () => { await client.disableTotp({}); })}>
                  Turn off authenticator app
                </button>
              </p>
            ) : totp ? (
              <TotpSetup
                enrollment={totp}
                onConfirm={(code) =>
                  run(async () => {
                    const res = await client.confirmTotpEnrollment({ enrollmentId: totp.enrollmentId, code });
                    setTotp(null);
                    if (res.recoveryCodes.length) setCodes(res.recoveryCodes);
                  })
                }
                onCancel={() => setTotp(null)}
              />
            ) : (
              <button type="button" className="btn" disabled={busy} onClick={() => void run(async () => setTotp(await client.beginTotpEnrollment({})))}>
                Set up an authenticator app
              </button>
            )}

            {(f.passkeys.length > 0 || f.totpEnabled) && (
              <>
                <h3>Recovery codes</h3>
                <p>
                  {f.recoveryCodesLeft} unused recovery codes.{" "}
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={busy}
                    onClick={() => void run(async () => setCodes((await client.regenerateRecoveryCodes({})).recoveryCodes))}
                  >
                    Make new recovery codes
                  </button>
                </p>
              </>
            )}
            <PolicyToggle />
          </>
        )}
      </QueryState>
    </section>
  );
}

function RenameForm({ passkey, onSave, onCancel }: { passkey: Passkey; onSave: (name: string) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(passkey.name);
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(name.trim());
      }}
    >
      <TextField label="Passkey name" value={name} maxLength={100} required onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="btn btn-small btn-primary">
        Save
      </button>
      <button type="button" className="btn btn-small" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}

function TotpSetup({ enrollment, onConfirm, onCancel }: { enrollment: BeginTotpEnrollmentResponse; onConfirm: (code: string) => Promise<void>; onCancel: () => void }) {
  const [code, setCode] = useState("");
  const src = `data:image/png;base64,${btoa(String.fromCharCode(...enrollment.qrPng))}`;
  return (
    <form
      className="form"
      aria-label="Set up an authenticator app"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void onConfirm(code.trim());
      }}
    >
      <p>Scan this code with your authenticator app, or type the key in, then enter the six-digit code it shows.</p>
      <img src={src} width={200} height={200} alt="QR code for your authenticator app" />
      <p>
        Key: <code>{enrollment.secret}</code> <CopyButton value={enrollment.secret} label="Copy key" />
      </p>
      <TextField label="Code from the app" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
      <div className="row">
        <button type="submit" className="btn btn-primary">
          Turn on
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** RecoveryCodes shows new recovery codes once, to copy or download. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = codes.join("\n") + "\n";
  return (
    <div className="callout" role="region" aria-label="Recovery codes">
      <p>
        <strong>Save your recovery codes now.</strong> Each signs you in once if you lose your passkey or app. They are not shown again.
      </p>
      <ul className="codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="row">
        <CopyButton value={text} label="Copy codes" />
        <button type="button" className="btn btn-small" onClick={() => downloadFile("wegweiser-recovery-codes.txt", new TextEncoder().encode(text), "text/plain;charset=utf-8")}>
          Download
        </button>
        <button type="button" className="btn btn-small btn-primary" onClick={onDone}>
          I saved them
        </button>
      </div>
    </div>
  );
}

/** Reauthenticate asks the caller to confirm it is them (password, app code or passkey) before a factor change. */
export function Reauthenticate({ onDone, onCancel }: { onDone: () => Promise<void>; onCancel: () => void }) {
  const transport = useTransport();
  const client = createClient(SecurityService, transport);
  const ways = useQuery(SecurityService.method.beginReauthentication, {}, { staleTime: 0, gcTime: 0 });
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<unknown>(null);

  const confirm = async (proof: Parameters<typeof client.reauthenticate>[0]) => {
    setError(null);
    try {
      await client.reauthenticate(proof);
      await onDone();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div className="callout" role="dialog" aria-label="Confirm it is you">
      <p>For your safety, confirm it is you before changing how you sign in.</p>
      <QueryState query={ways}>
        {(w) => (
          <>
            {w.challengeId && (
              <button
                type="button"
                className="btn btn-primary"
                onClick={() =>
                  void getPasskey(w.passkeyRequestOptionsJson)
                    .then((a) => confirm({ challengeId: w.challengeId, proof: { case: "passkeyAssertionJson", value: a } }))
                    .catch(setError)
                }
              >
                Confirm with a passkey
              </button>
            )}
            {(w.password || w.totp) && (
              <form
                className="form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void confirm(
                    w.password
                      ? { proof: { case: "password", value: secret } }
                      : { proof: { case: "totpCode", value: secret.trim() } },
                  );
                }}
              >
                <TextField
                  label={w.password ? "Your password" : "Code from your authenticator app"}
                  type={w.password ? "password" : "text"}
                  autoComplete={w.password ? "current-password" : "one-time-code"}
                  required
                  value={secret}
                  onChange={(e) => setSecret(e.target.value)}
                />
                <button type="submit" className="btn">
                  Confirm
                </button>
              </form>
            )}
          </>
        )}
      </QueryState>
      <ErrorMessage error={error} />
      <button type="button" className="btn btn-link" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** PolicyToggle lets owners require a second factor of every member. */
function PolicyToggle() {
  const can = useCan(Permission.SecurityManage);
  const transport = useTransport();
  const policy = useQuery(SecurityService.method.getSecurityPolicy, {}, { enabled: can });
  const [error, setError] = useState<unknown>(null);
  if (!can) return null;
  return (
    <>
      <h3>Organisation policy</h3>
      <QueryState query={policy}>
        {(p) => (
          <>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={p.policy?.requireSecondFactor ?? false}
                onChange={(e) => {
                  setError(null);
                  createClient(SecurityService, transport)
                    .updateSecurityPolicy({ policy: { requireSecondFactor: e.target.checked } })
                    .then(() => policy.refetch())
                    .catch(setError);
                }}
              />{" "}
              Require a second factor of every member
            </label>
            <p className="muted">
              {p.membersWithoutSecondFactor === 0
                ? "Every member has a second factor."
                : `${p.membersWithoutSecondFactor} member${p.membersWithoutSecondFactor === 1 ? "" : "s"} without a second factor${p.policy?.requireSecondFactor ? " can only set one up until they do." : "."}`}
            </p>
            <ErrorMessage error={error} />
          </>
        )}
      </QueryState>
    </>
  );
}
