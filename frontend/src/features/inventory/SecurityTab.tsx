import { useState } from "react";
import { DataTable, type Columns } from "../../components/DataTable";
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

const firewallColumns: Columns<FirewallProfile> = [
  {
    id: "profile",
    header: "Profile",
    accessorFn: (f) => f.profile,
    cell: ({ row: { original: f } }) => f.profile || <span className="muted">default</span>,
  },
  {
    id: "product",
    header: "Product",
    accessorFn: (f) => f.product,
    cell: ({ row: { original: f } }) => f.product || <span className="muted">—</span>,
  },
  {
    id: "state",
    header: "State",
    accessorFn: (f) => f.enabled,
    cell: ({ row: { original: f } }) => <Flag value={f.enabled} yes="On" no="Off" />,
  },
];

function FirewallTable({ profiles }: { profiles: FirewallProfile[] }) {
  return (
    <DataTable label="Firewall profiles" data={profiles} columns={firewallColumns} getRowId={(f, i) => `${f.profile}-${i}`} compact />
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

function antivirusColumns(now: number): Columns<Antivirus> {
  const age = (a: Antivirus) => {
    const updated = toDate(a.signatureTime);
    return updated ? (now - updated.getTime()) / 86_400_000 : undefined;
  };
  return [
    { id: "product", header: "Product", accessorFn: (a) => a.name },
    {
      id: "realtime",
      header: "Real-time",
      accessorFn: (a) => a.enabled,
      cell: ({ row: { original: a } }) => <Flag value={a.enabled} yes="On" no="Off" />,
    },
    {
      id: "signatures",
      header: "Signatures",
      accessorFn: (a) => age(a) ?? Infinity,
      cell: ({ row: { original: a } }) => {
        const updated = toDate(a.signatureTime);
        const ageDays = age(a);
        const stale = !a.upToDate || (ageDays !== undefined && ageDays > SIGNATURE_MAX_AGE_DAYS);
        return (
          <>
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
          </>
        );
      },
    },
  ];
}

function AntivirusList({ products }: { products: Antivirus[] }) {
  // Signature ages are measured from when the list was first shown, so renders are stable.
  const [columns] = useState(() => antivirusColumns(Date.now()));
  return <DataTable label="Antivirus" data={products} columns={columns} getRowId={(a, i) => `${a.name}-${i}`} compact />;
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

const updateColumns: Columns<MissingUpdate> = [
  { id: "title", header: "Update", accessorFn: (u) => u.title },
  {
    id: "classification",
    header: "Classification",
    accessorFn: (u) => rank(u.classification),
    cell: ({ row: { original: u } }) => u.classification || <span className="muted">—</span>,
  },
  { id: "id", header: "ID", accessorFn: (u) => u.id, meta: { className: "mono small" }, cell: ({ row: { original: u } }) => u.id || "—" },
  {
    id: "published",
    header: "Published",
    accessorFn: (u) => Number(u.publishedTime?.seconds ?? 0n),
    cell: ({ row: { original: u } }) => <RelativeTime value={u.publishedTime} never="—" />,
  },
];

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
        <DataTable label="Missing updates" data={missing} columns={updateColumns} getRowId={(u, i) => `${u.id}-${i}`} />
      )}
    </div>
  );
}
