import { useMemo, useState } from "react";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DataTable, type Columns } from "../../components/DataTable";
import { SelectField, TextField } from "../../components/Fields";
import { ErrorMessage, QueryState } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import type { AuditEvent } from "../../gen/wegweiser/v1/audit_pb";
import { downloadFile } from "../../lib/download";
import { formatAbsolute, toDate } from "../../lib/time";
import { useDebounced } from "../../lib/useDebounced";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useUsers } from "../users/hooks";
import { useAuditEvents, useExportAudit, type AuditFilterInit } from "./hooks";
import { ACTION_CATEGORIES, actionWords, shortUserAgent } from "./labels";

/** MAX_QUERY is the server's limit on the search text. */
const MAX_QUERY = 100;

const columns: Columns<AuditEvent> = [
  {
    id: "time",
    header: "Time",
    enableSorting: false,
    cell: ({ row: { original: e } }) => {
      const d = toDate(e.createTime);
      return d ? <time dateTime={d.toISOString()}>{formatAbsolute(d)}</time> : null;
    },
  },
  { id: "actor", header: "Actor", enableSorting: false, accessorFn: (e) => e.actor },
  {
    id: "action",
    header: "Action",
    enableSorting: false,
    cell: ({ row: { original: e } }) => (
      <div>
        <span title={e.action}>{actionWords(e.action)}</span>
        {e.detail && <div className="muted small audit-detail">{e.detail}</div>}
      </div>
    ),
  },
  {
    id: "target",
    header: "Target",
    enableSorting: false,
    cell: ({ row: { original: e } }) =>
      e.targetName ? (
        <span title={`${e.targetKind} ${e.targetId}`}>{e.targetName}</span>
      ) : (
        <span className="muted">{e.targetKind}</span>
      ),
  },
  {
    id: "address",
    header: "Address",
    enableSorting: false,
    meta: { className: "mono" },
    cell: ({ row: { original: e } }) => e.sourceAddress || <span className="muted">—</span>,
  },
  {
    id: "userAgent",
    header: "User agent",
    enableSorting: false,
    cell: ({ row: { original: e } }) =>
      e.userAgent ? <span title={e.userAgent}>{shortUserAgent(e.userAgent)}</span> : <span className="muted">—</span>,
  },
];

/** dayStart reads an <input type="date"> value as local midnight. */
function dayStart(value: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const [y, m, d] = value.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
}

/**
 * AuditLog is the tenant's audit log (owners and admins): who did what,
 * when and from where, filtered by kind of action, member, text and days,
 * newest first, with a CSV export of the same selection.
 */
export function AuditLog() {
  const canRead = useCan(Permission.AuditRead);
  const [category, setCategory] = useState("");
  const [actorId, setActorId] = useState("");
  const [text, setText] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const query = useDebounced(text.trim());

  const start = dayStart(from);
  const endDay = dayStart(to);
  // "To" is inclusive: the range ends at the next midnight.
  const end = endDay ? new Date(endDay.getFullYear(), endDay.getMonth(), endDay.getDate() + 1) : undefined;
  const rangeError = start && end && end <= start ? "must not be before From" : undefined;

  const filter = useMemo<AuditFilterInit>(
    () => ({
      actionPrefix: category,
      actorId,
      query,
      startTime: start ? timestampFromDate(start) : undefined,
      endTime: end && !rangeError ? timestampFromDate(end) : undefined,
    }),
    // start and end are derived from from and to.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [category, actorId, query, from, to, rangeError],
  );

  if (!canRead) {
    return (
      <Page title="Audit log">
        <div className="alert alert-error" role="alert">
          Only owners and admins can read the audit log.
        </div>
      </Page>
    );
  }
  return (
    <Page
      title="Audit log"
      subtitle="Sign-ins, second factors, members, API keys, single sign-on, policy and device changes: who, when and from where."
      actions={<ExportButton filter={filter} />}
    >
      <Section title="Events">
        <div className="filters" role="search" aria-label="Audit filters">
          <SelectField label="Action" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">All actions</option>
            {ACTION_CATEGORIES.map((c) => (
              <option key={c.prefix} value={c.prefix}>
                {c.label}
              </option>
            ))}
          </SelectField>
          <ActorSelect value={actorId} onChange={setActorId} />
          <TextField
            label="Search"
            type="search"
            placeholder="Actor, target or detail contains…"
            maxLength={MAX_QUERY}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <TextField label="From" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          <TextField label="To" type="date" value={to} error={rangeError} onChange={(e) => setTo(e.target.value)} />
        </div>
        <AuditTable filter={filter} filtered={!!(category || actorId || query || from || to)} />
      </Section>
    </Page>
  );
}

function ActorSelect({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const users = useUsers();
  return (
    <SelectField label="Actor" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Anyone</option>
      {users.data?.users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.email}
        </option>
      ))}
    </SelectField>
  );
}

function AuditTable({ filter, filtered }: { filter: AuditFilterInit; filtered: boolean }) {
  const list = useAuditEvents(filter);
  return (
    <div aria-busy={list.isFetching} className="stack">
      <QueryState query={list} loading="Loading the audit log…">
        {(data) => (
          <DataTable
            label="Audit events"
            data={data.pages.flatMap((p) => p.events)}
            columns={columns}
            getRowId={(e) => e.id}
            compact
            className="audit-log"
            empty={filtered ? "No events match these filters." : "Nothing recorded yet."}
            paging={{
              hasNextPage: list.hasNextPage,
              fetching: list.isFetchingNextPage,
              onLoad: () => void list.fetchNextPage(),
            }}
          />
        )}
      </QueryState>
    </div>
  );
}

function ExportButton({ filter }: { filter: AuditFilterInit }) {
  const exp = useExportAudit();
  return (
    <div className="stack-small">
      <button
        type="button"
        className="btn"
        disabled={exp.isPending}
        onClick={() => exp.mutate({ filter }, { onSuccess: (f) => downloadFile(f.fileName, f.csv) })}
      >
        {exp.isPending ? "Exporting…" : "Export CSV"}
      </button>
      {exp.error && <ErrorMessage error={exp.error} title="Export failed" />}
    </div>
  );
}
