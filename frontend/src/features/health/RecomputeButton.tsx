import { useEffect } from "react";
import { ErrorMessage } from "../../components/Feedback";
import { useRecompute, useRefreshHealth } from "./hooks";
import type { Entity } from "./labels";

/** After queuing, health is fetched again once the analysis has had time to run. */
const REFRESH_AFTER_MS = 5_000;

/** RecomputeButton queues an entity's devices for analysis now and says so (needs device.write). */
export function RecomputeButton({ entity, label }: { entity: Entity; label: string }) {
  const recompute = useRecompute();
  const refresh = useRefreshHealth();
  const queued = recompute.data?.queuedDevices;

  useEffect(() => {
    if (queued === undefined) return;
    const t = setTimeout(() => void refresh(), REFRESH_AFTER_MS);
    return () => clearTimeout(t);
  }, [queued, refresh]);

  return (
    <div className="recompute">
      <button
        type="button"
        className="btn btn-small"
        disabled={recompute.isPending}
        onClick={() => recompute.mutate({ entity })}
      >
        {recompute.isPending ? "Queuing…" : label}
      </button>
      <span role="status" className="small muted">
        {queued !== undefined &&
          (queued === 0
            ? "Nothing to analyse: no devices."
            : `Queued ${queued} ${queued === 1 ? "device" : "devices"} for analysis; the score updates in a moment.`)}
      </span>
      <ErrorMessage error={recompute.error} />
    </div>
  );
}
