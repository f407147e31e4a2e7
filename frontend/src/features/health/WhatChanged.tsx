import { Code } from "@connectrpc/connect";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import { errorCode } from "../../lib/errors";
import { useExplainChange, useScoringModel } from "./hooks";
import { bandOf, deltaClass, formatDelta } from "./labels";
import { ScoreBadge } from "./ScoreBadge";

/**
 * WhatChanged explains a device's latest score change finding by finding:
 * losses red, gains green. analysed says whether the device has been
 * analysed at all (its health has a compute time).
 */
export function WhatChanged({ deviceId, analysed }: { deviceId: string; analysed: boolean }) {
  const explain = useExplainChange(deviceId, analysed);
  const ranges = useScoringModel().data?.bands;
  if (!analysed) return <Empty>No score recorded yet.</Empty>;
  if (explain.isPending) return <Loading label="Loading the last change…" />;
  if (explain.isError) {
    // failed_precondition: nothing analysed yet, so there is nothing to compare.
    if (errorCode(explain.error) === Code.FailedPrecondition) return <Empty>No score recorded yet.</Empty>;
    return <ErrorMessage error={explain.error} />;
  }
  const e = explain.data;
  const first = !e.fromComputeTime;
  const moved = e.toScore - e.fromScore;
  return (
    <div className="what-changed">
      {first ? (
        <p>
          First score: <ScoreBadge score={e.toScore} band={bandOf(ranges, e.toScore)} />{" "}
          <span className="muted small">
            (<RelativeTime value={e.toComputeTime} never="unknown" />)
          </span>
        </p>
      ) : (
        <p className="change-scores">
          <ScoreBadge score={e.fromScore} band={bandOf(ranges, e.fromScore)} />
          <span aria-hidden="true"> → </span>
          <span className="sr-only"> to </span>
          <ScoreBadge score={e.toScore} band={bandOf(ranges, e.toScore)} />{" "}
          <strong className={deltaClass(moved)}>{formatDelta(moved)}</strong>{" "}
          <span className="muted small">
            between <RelativeTime value={e.fromComputeTime} never="unknown" /> and{" "}
            <RelativeTime value={e.toComputeTime} never="unknown" />
          </span>
        </p>
      )}
      {e.changes.length > 0 ? (
        <ul className="change-list" aria-label="Changes">
          {e.changes.map((c, i) => (
            <li key={`${c.checkId}\u0000${c.subject}\u0000${i}`} className={`change ${deltaClass(c.delta)}`}>
              {c.text || `${formatDelta(c.delta)}: ${c.checkId}${c.subject ? ` (${c.subject})` : ""} (${c.kind})`}
            </li>
          ))}
        </ul>
      ) : (
        !first && <p className="muted small">No finding gained or lost points in this change.</p>
      )}
      {e.note && <p className="muted small">{e.note}</p>}
    </div>
  );
}
