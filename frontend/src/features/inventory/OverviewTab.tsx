import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { FactList } from "../../components/FactList";
import { RelativeTime } from "../../components/RelativeTime";
import type { Snapshot } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { formatCount, formatDuration } from "../../lib/format";
import { toDate } from "../../lib/time";

/** OverviewTab: operating system, uptime, users, agent and snapshot facts, collector errors. */
export function OverviewTab({
  snapshot: s,
  receivedTime,
  snapshotCount,
}: {
  snapshot: Snapshot;
  receivedTime: Timestamp | undefined;
  snapshotCount: number;
}) {
  const os = s.os;
  const boot = toDate(os?.bootTime);
  const seen = toDate(s.collectedTime) ?? toDate(receivedTime);
  const uptime = boot && seen ? formatDuration((seen.getTime() - boot.getTime()) / 1000) : "";

  return (
    <div className="stack">
      {s.errors.length > 0 && (
        <div className="alert alert-warn" role="status">
          <strong>Some collectors failed; parts of the inventory may be missing.</strong>
          <ul className="collector-errors">
            {s.errors.map((e, i) => (
              <li key={i}>
                <code className="mono">{e.collector}</code>: {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <FactList
        facts={[
          ["Operating system", [os?.name, os?.version].filter(Boolean).join(" ")],
          ["Build", os?.build],
          ["Architecture", os?.architecture],
          ["Host name", os?.fqdn || os?.hostname],
          ["Time zone", os?.timezone],
          ["Last boot", boot ? <RelativeTime value={os?.bootTime} /> : ""],
          ["Uptime", uptime && `${uptime} (at the last snapshot)`],
          [
            "Logged-in users",
            os ? (os.loggedInUsers.length > 0 ? os.loggedInUsers.join(", ") : <span className="muted">Nobody</span>) : "",
          ],
          ["Agent version", s.agentVersion],
          ["Snapshot received", receivedTime ? <RelativeTime value={receivedTime} /> : ""],
          ["Snapshot collected", s.collectedTime ? <RelativeTime value={s.collectedTime} /> : ""],
          ["Snapshots stored", formatCount(snapshotCount)],
        ]}
      />
    </div>
  );
}
