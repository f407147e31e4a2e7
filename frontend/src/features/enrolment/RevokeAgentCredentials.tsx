import { useState } from "react";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage, Notice } from "../../components/Feedback";
import { useRevokeDeviceToken } from "./hooks";

/** RevokeAgentCredentials cuts a device's agent off; it must enrol again to report. */
export function RevokeAgentCredentials({ deviceId, hostname }: { deviceId: string; hostname: string }) {
  const revoke = useRevokeDeviceToken();
  const [done, setDone] = useState(false);
  return (
    <div className="stack-small">
      <p className="muted small">
        Use this when a device is lost or its agent credentials may have leaked. The agent stops reporting until it
        enrols again with a key.
      </p>
      {done ? (
        <Notice>Agent credentials revoked.</Notice>
      ) : (
        <ConfirmButton
          label="Revoke agent credentials"
          confirmLabel="Revoke credentials"
          question={<>Revoke the agent credentials of “{hostname}”? Its agent cannot report until it enrols again.</>}
          pending={revoke.isPending}
          onConfirm={() => revoke.mutate({ deviceId }, { onSuccess: () => setDone(true) })}
        />
      )}
      <ErrorMessage error={revoke.error} />
    </div>
  );
}
