import { useState } from "react";
import { Empty } from "../../components/Feedback";
import { FactList } from "../../components/FactList";
import { RelativeTime } from "../../components/RelativeTime";
import type {
  Antivirus,
  FirewallProfile,
  MissingUpdate,
  Patches,
  PendingReboot,
  Security,
  Snapshot,
} from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { formatDuration } from "../../lib/format";
import { formatAbsolute, toDate } from "../../lib/time";
import { Flag, NotReported, Subsection } from "./parts";

/** Signatures older than this many days are flagged. */
const SIGNATURE_MAX_AGE_DAYS = 7;

/** SecurityTab: firewall, antivirus, encryption, screen lock, pending reboot and missing updates. */
export function SecurityTab({ snapshot: s }: { snapshot: Snapshot }) {
  const sec = s.security;
  return (
    <div className="stack">
      <div className="grid-2">
        {sec ? (
          <>
            <Subsection title="Firewall">
              {sec.firewall.length === 0 ? <Empty>No firewall reported.</Empty> : <FirewallTable profiles={sec.firewall} />}
            </Subsection>
            <Subsection title="Protection">
              <ProtectionFacts security={sec} />
            </Subsection>
            <Subsection title="Antivirus">
              {sec.antivirus.length === 0 ? <Empty>No antivirus reported.</Empty> : <AntivirusList products={sec.antivirus} />}
            </Subsection>
          </>
        ) : (
          <NotReported what="security details" collector="security" errors={s.errors} />
        )}
        <Subsection title="Pending reboot">
          {s.pendingReboot ? (
            <RebootFacts reboot={s.pendingReboot} />
          ) : (
            <NotReported what="reboot state" collector="pending_reboot" errors={s.errors} />
          )}
        </Subsection>
      </div>
      <Subsection title="Updates">
        {s.patches ? (
          <PatchSummary patches={s.patches} />
        ) : (
          <NotReported what="update details" collector="patches" errors={s.errors} />
        )}
      </Subsection>
    </div>
  );
}

function FirewallTable({ profiles }: { profiles: FirewallProfile[] }) {
  return (
    <table className="table table-compact">
      <thead>
        <tr>
          <th scope="col">Profile</th>
          <th scope="col">Product</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {profiles.map((f, i) => (
          <tr key={`${f.profile}-${i}`}>
            <td>{f.profile || <span className="muted">default</span>}</td>
            <td>{f.product || <span className="muted">—</span>}</td>
            <td>
              <Flag value={f.enabled} yes="On" no="Off" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ProtectionFacts({ security: sec }: { security: Security }) {
  const enc = sec.encryption;
  const lock = sec.screenLock;
  return (
    <FactList
      facts={[
        [
          "Disk encryption",
          enc ? (
            <>
              <Flag value={enc.enabled} yes="Encrypted" no="Not encrypted" />{" "}
              {[enc.method !== "none" && enc.method, enc.status].filter(Boolean).join(" · ")}
            </>
          ) : (
            ""
          ),
        ],
        [
          "Screen lock",
          lock ? (
            <>
              <Flag value={lock.enabled} yes="On" no="Off" />
              {lock.enabled && lock.timeoutSeconds > 0 && <> after {formatDuration(lock.timeoutSeconds)} idle</>}
            </>
          ) : (
            ""
          ),
        ],
        ["Secure Boot", <Flag key="sb" value={sec.secureBoot} yes="On" no="Off" />],
        ["Local administrators", sec.localAdmins.join(", ")],
      ]}
    />
  );
}

function AntivirusList({ products }: { products: Antivirus[] }) {
  // Signature ages are measured from when the list was first shown, so renders are stable.
  const [now] = useState(() => Date.now());
  return (
    <table className="table table-compact">
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col">Real-time</th>
          <th scope="col">Signatures</th>
        </tr>
      </thead>
      <tbody>
        {products.map((a, i) => {
          const updated = toDate(a.signatureTime);
          const ageDays = updated ? (now - updated.getTime()) / 86_400_000 : undefined;
          const stale = !a.upToDate || (ageDays !== undefined && ageDays > SIGNATURE_MAX_AGE_DAYS);
          return (
            <tr key={`${a.name}-${i}`}>
              <td>{a.name}</td>
              <td>
                <Flag value={a.enabled} yes="On" no="Off" />
              </td>
              <td>
                <span className={`badge ${stale ? "badge-warn" : "badge-ok"}`}>{stale ? "Outdated" : "Up to date"}</span>
                <div className="muted small">
                  {updated && ageDays !== undefined ? (
                    <time dateTime={updated.toISOString()} title={formatAbsolute(updated)}>
                      Signatures {formatDuration(Math.max(0, ageDays * 86400))} old
                    </time>
                  ) : (
                    "Signature age unknown"
                  )}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function RebootFacts({ reboot: r }: { reboot: PendingReboot }) {
  return (
    <FactList
      facts={[
        ["Reboot pending", <Flag key="p" value={r.pending} good={false} />],
        ["Reasons", r.pending ? r.reasons.join(", ") : <span className="muted">—</span>],
        ["Pending since", r.pending && r.sinceTime ? <RelativeTime value={r.sinceTime} /> : ""],
      ]}
    />
  );
}

const classificationOrder = ["critical", "security", "important", "moderate", "low", "optional"];

function rank(c: string): number {
  const i = classificationOrder.indexOf(c.toLowerCase());
  return i < 0 ? classificationOrder.length - 1 : i;
}

function PatchSummary({ patches: p }: { patches: Patches }) {
  const byClass = new Map<string, MissingUpdate[]>();
  for (const u of p.missing) {
    const c = u.classification || "unclassified";
    byClass.set(c, [...(byClass.get(c) ?? []), u]);
  }
  const classes = [...byClass.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const missing = [...p.missing].sort((a, b) => rank(a.classification) - rank(b.classification) || a.title.localeCompare(b.title));

  return (
    <div className="stack">
      <FactList
        facts={[
          ["Automatic updates", <Flag key="au" value={p.automaticUpdates} yes="On" no="Off" />],
          ["Last installed", p.lastInstallTime ? <RelativeTime value={p.lastInstallTime} /> : ""],
          ["Last checked", p.lastCheckTime ? <RelativeTime value={p.lastCheckTime} /> : ""],
          [
            "Missing updates",
            p.missing.length === 0 ? (
              <span className="badge badge-ok">None</span>
            ) : (
              <ul className="tags" aria-label="Missing updates by classification">
                {classes.map((c) => (
                  <li key={c} className={`badge ${rank(c) <= 1 ? "badge-danger" : "badge-warn"}`}>
                    {byClass.get(c)?.length} {c}
                  </li>
                ))}
              </ul>
            ),
          ],
        ]}
      />
      {missing.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Update</th>
                <th scope="col">Classification</th>
                <th scope="col">ID</th>
                <th scope="col">Published</th>
              </tr>
            </thead>
            <tbody>
              {missing.map((u, i) => (
                <tr key={`${u.id}-${i}`}>
                  <td>{u.title}</td>
                  <td>{u.classification || <span className="muted">—</span>}</td>
                  <td className="mono small">{u.id || "—"}</td>
                  <td>
                    <RelativeTime value={u.publishedTime} never="—" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
