import { useMutation, useQuery } from "@connectrpc/connect-query";
import { useState } from "react";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage, QueryState } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { SecurityService, SignInMethod, type Session } from "../../gen/wegweiser/v1/security_pb";
import { useInvalidate } from "../../lib/queries";
import { describeDevice } from "./userAgent";

const methodLabels: Record<SignInMethod, string> = {
  [SignInMethod.UNSPECIFIED]: "—",
  [SignInMethod.PASSWORD]: "Password",
  [SignInMethod.PASSWORD_AND_SECOND_FACTOR]: "Password and second factor",
  [SignInMethod.PASSKEY]: "Passkey",
  [SignInMethod.SINGLE_SIGN_ON]: "Single sign-on",
  [SignInMethod.INVITATION]: "Invitation link",
};

/** Sessions lists the caller's sign-in sessions with revoke and "sign out everywhere". */
export function Sessions() {
  const sessions = useQuery(SecurityService.method.listSessions, {});
  const invalidate = useInvalidate();
  const [ended, setEnded] = useState<number | null>(null);
  const revokeAll = useMutation(SecurityService.method.revokeAllSessions, {
    onSuccess: (res) => {
      setEnded(res.revoked);
      return invalidate(SecurityService);
    },
  });
  const others = (sessions.data?.sessions ?? []).filter((s) => !s.current).length;

  return (
    <Section
      title="Where you are signed in"
      actions={
        others > 0 ? (
          <ConfirmButton
            label="Sign out everywhere else"
            confirmLabel="Sign out the other sessions"
            question={`End the ${others === 1 ? "other session" : `${others} other sessions`}? This browser stays signed in.`}
            onConfirm={() => revokeAll.mutate({ keepCurrent: true })}
            pending={revokeAll.isPending}
          />
        ) : undefined
      }
    >
      <ErrorMessage error={revokeAll.error} title="Could not sign out the other sessions" />
      {ended !== null && (
        <p role="status" className="alert alert-success">
          {ended === 1 ? "1 session was signed out." : `${ended} sessions were signed out.`}
        </p>
      )}
      <QueryState
        query={sessions}
        loading="Loading sessions…"
        isEmpty={(d) => d.sessions.length === 0}
        empty="No sessions."
        errorTitle="Could not load your sessions"
      >
        {(d) => (
          <div className="table-wrap">
            <table className="table" aria-label="Sessions">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Address</th>
                  <th scope="col">Signed in</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Method</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.sessions.map((s) => (
                  <SessionRow key={s.id} session={s} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </Section>
  );
}

function SessionRow({ session: s }: { session: Session }) {
  const invalidate = useInvalidate();
  const revoke = useMutation(SecurityService.method.revokeSession, {
    onSuccess: () => invalidate(SecurityService),
  });
  const device = describeDevice(s.userAgent);
  return (
    <tr>
      <td>
        <div title={s.userAgent || undefined}>
          {device}{" "}
          {s.current && <span className="badge badge-ok">This session</span>}
        </div>
      </td>
      <td>{s.address || <span className="muted">—</span>}</td>
      <td>
        <RelativeTime value={s.createTime} />
      </td>
      <td>
        <RelativeTime value={s.lastUseTime} />
      </td>
      <td>{methodLabels[s.method] ?? "—"}</td>
      <td>
        {!s.current && (
          <ConfirmButton
            small
            label="Sign out"
            srLabel={`${device} (${s.address})`}
            confirmLabel="Sign out this session"
            question={`Sign out ${device}? Its next request will need a new sign-in.`}
            onConfirm={() => revoke.mutate({ sessionId: s.id })}
            pending={revoke.isPending}
          />
        )}
        <ErrorMessage error={revoke.error} title="Could not sign out this session" />
      </td>
    </tr>
  );
}
