import { useState, type FormEvent } from "react";
import { SelectField, TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import { BulkOperationState, type BulkOperation } from "../../gen/wegweiser/v1/device_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useGroups } from "../groups/hooks";
import { useOrganisationOptions } from "../organisations/hooks";
import { bulkDone, listRequest, useBulkOperation, useStartBulkOperation, type DeviceFilter } from "./hooks";

type Action = "move" | "tag" | "retire" | "reanalyse";

/** devices says "1 device" or "n devices". */
export function devices(n: number): string {
  return n === 1 ? "1 device" : `${n.toLocaleString()} devices`;
}

/** splitTags reads a comma-separated list of tags. */
function splitTags(s: string): string[] {
  return s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/**
 * BulkActions is the bar over a device list with ticked rows, or with every
 * device matching the filter chosen: move, tag, retire or re-analyse them,
 * each after a confirmation that says how many devices it touches. The
 * server refuses the whole request if any device is out of the caller's
 * reach; the work then runs in the background (see BulkProgress).
 */
export function BulkActions({
  filter,
  selected,
  allMatching,
  total,
  onSelectAll,
  onClear,
  onStarted,
}: {
  filter: DeviceFilter;
  selected: ReadonlySet<string>;
  /** Every device matching the filter is chosen, not just the ticked rows. */
  allMatching: boolean;
  /** How many devices match the filter. */
  total: number;
  onSelectAll: () => void;
  onClear: () => void;
  onStarted: (op: BulkOperation) => void;
}) {
  const canDelete = useCan(Permission.DeviceDelete);
  const start = useStartBulkOperation();
  const [action, setAction] = useState<Action | null>(null);
  const count = allMatching ? total : selected.size;
  if (count === 0) return null;

  const run = (act: { case: Action; value: object }) => {
    const selection = allMatching
      ? { selection: { case: "filter" as const, value: listRequest(filter) } }
      : { selection: { case: "ids" as const, value: { ids: [...selected] } } };
    start.mutate(
      // The action's message fields are filled per case below.
      { selection, action: act } as Parameters<typeof start.mutate>[0],
      {
        onSuccess: (res) => {
          setAction(null);
          if (res.operation) onStarted(res.operation);
        },
      },
    );
  };

  const choose = (a: Action) => {
    start.reset();
    setAction(action === a ? null : a);
  };

  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions">
      <div className="bulk-bar-summary">
        <strong>{allMatching ? `All ${devices(total)} matching this filter are selected.` : `${devices(count)} selected.`}</strong>{" "}
        {!allMatching && total > selected.size && (
          <button type="button" className="btn btn-small btn-link" onClick={onSelectAll}>
            Select all {devices(total)} matching this filter
          </button>
        )}
        <button type="button" className="btn btn-small btn-link" onClick={onClear}>
          Clear selection
        </button>
      </div>
      <div className="bulk-bar-actions">
        <button type="button" className="btn btn-small" aria-pressed={action === "move"} onClick={() => choose("move")}>
          Move to…
        </button>
        <button type="button" className="btn btn-small" aria-pressed={action === "tag"} onClick={() => choose("tag")}>
          Tag…
        </button>
        <button type="button" className="btn btn-small" aria-pressed={action === "reanalyse"} onClick={() => choose("reanalyse")}>
          Re-analyse
        </button>
        {canDelete && (
          <button
            type="button"
            className="btn btn-small btn-danger-outline"
            aria-pressed={action === "retire"}
            onClick={() => choose("retire")}
          >
            Retire…
          </button>
        )}
      </div>
      {action === "move" && <MoveForm count={count} pending={start.isPending} onMove={(value) => run({ case: "move", value })} />}
      {action === "tag" && <TagForm count={count} pending={start.isPending} onTag={(value) => run({ case: "tag", value })} />}
      {action === "reanalyse" && (
        <Confirm
          question={`Analyse ${devices(count)} again with the current checks and policy? Their scores are rolled up afterwards.`}
          label={`Re-analyse ${devices(count)}`}
          pending={start.isPending}
          onConfirm={() => run({ case: "reanalyse", value: {} })}
          onCancel={() => setAction(null)}
        />
      )}
      {action === "retire" && (
        <Confirm
          danger
          question={`Retire ${devices(count)}? Their agents are cut off and they no longer count in scores, lists or reports; their history stays readable. An agent that enrols again becomes a new device.`}
          label={`Retire ${devices(count)}`}
          pending={start.isPending}
          onConfirm={() => run({ case: "retire", value: {} })}
          onCancel={() => setAction(null)}
        />
      )}
      <ErrorMessage error={start.error} />
    </div>
  );
}

function Confirm({
  question,
  label,
  pending,
  danger,
  onConfirm,
  onCancel,
}: {
  question: string;
  label: string;
  pending: boolean;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div className={`confirm${danger ? "" : " confirm-neutral"}`} role="group" aria-label="Confirm">
      <p>{question}</p>
      <div className="confirm-actions">
        <button type="button" className={`btn ${danger ? "btn-danger" : "btn-primary"}`} disabled={pending} onClick={onConfirm}>
          {pending ? "Starting…" : label}
        </button>
        <button type="button" className="btn" disabled={pending} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function MoveForm({
  count,
  pending,
  onMove,
}: {
  count: number;
  pending: boolean;
  onMove: (to: { organisationId: string; groupId: string }) => void;
}) {
  const organisations = useOrganisationOptions();
  const [organisationId, setOrganisationId] = useState("");
  const [groupId, setGroupId] = useState("");
  const groups = useGroups(organisationId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onMove({ organisationId, groupId });
  };
  return (
    <form className="form form-boxed" onSubmit={submit} aria-label="Move devices">
      <p>Move {devices(count)} to:</p>
      <SelectField
        label="Destination organisation"
        value={organisationId}
        onChange={(e) => {
          setOrganisationId(e.target.value);
          setGroupId("");
        }}
      >
        <option value="">Choose…</option>
        {organisations.data?.organisations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </SelectField>
      <SelectField label="Destination group" value={groupId} onChange={(e) => setGroupId(e.target.value)} disabled={!organisationId}>
        <option value="">No group</option>
        {groups.data?.groups.map((g) => (
          <option key={g.id} value={g.id}>
            {g.name}
          </option>
        ))}
      </SelectField>
      <ErrorMessage error={organisations.error ?? groups.error} />
      <button type="submit" className="btn btn-primary" disabled={pending || !organisationId}>
        {pending ? "Starting…" : `Move ${devices(count)}`}
      </button>
    </form>
  );
}

function TagForm({
  count,
  pending,
  onTag,
}: {
  count: number;
  pending: boolean;
  onTag: (tags: { addTags: string[]; removeTags: string[] }) => void;
}) {
  const [add, setAdd] = useState("");
  const [remove, setRemove] = useState("");
  const addTags = splitTags(add);
  const removeTags = splitTags(remove);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onTag({ addTags, removeTags });
  };
  return (
    <form className="form form-boxed" onSubmit={submit} aria-label="Tag devices">
      <p>Change the tags of {devices(count)} (separate tags with commas):</p>
      <TextField label="Add tags" placeholder="e.g. finance, laptops" value={add} onChange={(e) => setAdd(e.target.value)} />
      <TextField label="Remove tags" value={remove} onChange={(e) => setRemove(e.target.value)} />
      <button type="submit" className="btn btn-primary" disabled={pending || (addTags.length === 0 && removeTags.length === 0)}>
        {pending ? "Starting…" : `Tag ${devices(count)}`}
      </button>
    </form>
  );
}

const verbs: Record<string, string> = {
  move: "Moving",
  tag: "Tagging",
  retire: "Retiring",
  reanalyse: "Re-analysing",
};

const pastVerbs: Record<string, string> = {
  move: "Moved",
  tag: "Tagged",
  retire: "Retired",
  reanalyse: "Queued for analysis:",
};

/**
 * BulkProgress follows a bulk operation until it ends: a progress bar with
 * the devices done so far, then the outcome with the failures listed.
 */
export function BulkProgress({ id, onClose }: { id: string; onClose: () => void }) {
  const query = useBulkOperation(id);
  const op = query.data?.operation;
  const done = bulkDone(op);
  return (
    <div className="bulk-progress" role="region" aria-label="Bulk operation progress">
      {!op ? (
        <ErrorMessage error={query.error} />
      ) : (
        <>
          <p role="status">
            {done
              ? `${pastVerbs[op.action] ?? "Done:"} ${devices(op.processed - op.failed)}${op.failed > 0 ? `; ${devices(op.failed)} failed` : ""}.`
              : `${verbs[op.action] ?? "Working on"} ${devices(op.total)}: ${op.processed.toLocaleString()} done${op.state === BulkOperationState.QUEUED ? " (waiting to start)" : ""}.`}
          </p>
          <progress max={op.total} value={op.processed} aria-label="Devices done">
            {op.processed} of {op.total}
          </progress>
          {op.errors.length > 0 && (
            <ul className="bulk-errors" aria-label="Failures">
              {op.errors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
              {op.failed > op.errors.length && <li className="muted">… and {op.failed - op.errors.length} more</li>}
            </ul>
          )}
          {done && (
            <button type="button" className="btn btn-small" onClick={onClose}>
              Close
            </button>
          )}
        </>
      )}
    </div>
  );
}
