import { Fragment, useState } from "react";
import { ConfirmButton } from "../../components/ConfirmButton";
import { TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import { RelativeTime } from "../../components/RelativeTime";
import type { CheckInfo } from "../../gen/wegweiser/v1/health_pb";
import type { Override } from "../../gen/wegweiser/v1/policy_pb";
import { severityBadge } from "../health/labels";
import { useDeleteOverride } from "./hooks";
import { formatThreshold, type Scope } from "./labels";
import { OverrideForm } from "./OverrideForm";

/** OverrideTable lists the overrides of one level; with policy.manage they can be edited and deleted. */
export function OverrideTable({
  scope,
  overrides,
  checks,
  canManage,
  onChanged,
}: {
  scope: Scope;
  overrides: Override[];
  checks: CheckInfo[];
  canManage: boolean;
  /** Called with the number of devices queued for re-analysis after an edit or delete. */
  onChanged: (queuedDevices: number) => void;
}) {
  const columns = canManage ? 9 : 8;
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Overrides at this level">
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Runs</th>
            <th scope="col">Warn</th>
            <th scope="col">Fail</th>
            <th scope="col">Severity</th>
            <th scope="col">Suppressed</th>
            <th scope="col">Reason</th>
            <th scope="col">Updated</th>
            {canManage && (
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {overrides.map((o) => (
            <OverrideRow
              key={o.id}
              scope={scope}
              override={o}
              check={checks.find((c) => c.id === o.checkId)}
              checks={checks}
              canManage={canManage}
              columns={columns}
              onChanged={onChanged}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OverrideRow({
  scope,
  override: o,
  check,
  checks,
  canManage,
  columns,
  onChanged,
}: {
  scope: Scope;
  override: Override;
  check: CheckInfo | undefined;
  checks: CheckInfo[];
  canManage: boolean;
  columns: number;
  onChanged: (queuedDevices: number) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [reason, setReason] = useState("");
  const del = useDeleteOverride();
  const inherited = <span className="muted">default</span>;
  return (
    <Fragment>
      <tr>
        <td>
          {check?.title ?? o.checkId}
          <div className="mono muted">{o.checkId}</div>
        </td>
        <td>
          {o.enabled === undefined ? (
            <span className="muted">inherited</span>
          ) : o.enabled ? (
            <span className="badge badge-ok">On</span>
          ) : (
            <span className="badge badge-danger">Off</span>
          )}
        </td>
        <td>{o.warn === undefined ? inherited : formatThreshold(o.warn, check?.warn)}</td>
        <td>{o.fail === undefined ? inherited : formatThreshold(o.fail, check?.fail)}</td>
        <td>
          {o.severity ? (
            <span className={`badge ${severityBadge(o.severity)}`}>{o.severity}</span>
          ) : (
            <span className="muted">default{check ? ` (${check.severity})` : ""}</span>
          )}
        </td>
        <td>{o.suppress ? <span className="badge badge-warn">Suppressed</span> : <span className="muted">no</span>}</td>
        <td className="reason">{o.reason}</td>
        <td>
          {o.updatedBy}
          <div className="muted small">
            <RelativeTime value={o.updateTime} never="—" />
          </div>
        </td>
        {canManage && (
          <td className="actions">
            {!editing && (
              <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
                Edit<span className="sr-only"> override {o.checkId}</span>
              </button>
            )}{" "}
            <ConfirmButton
              small
              label="Delete"
              srLabel={`override ${o.checkId}`}
              confirmLabel="Delete override"
              question={<>Delete the override of {o.checkId}? The wider levels apply again.</>}
              pending={del.isPending}
              disabled={!reason.trim()}
              onConfirm={() => del.mutate({ id: o.id, reason: reason.trim() }, { onSuccess: (res) => onChanged(res.queuedDevices) })}
            >
              <TextField
                label="Reason for deleting"
                required
                maxLength={500}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </ConfirmButton>
          </td>
        )}
      </tr>
      {del.error ? (
        <tr>
          <td colSpan={columns}>
            <ErrorMessage error={del.error} />
          </td>
        </tr>
      ) : null}
      {editing && (
        <tr className="row-editor">
          <td colSpan={columns}>
            <OverrideForm
              scope={scope}
              checks={checks}
              initial={o}
              label={`Edit override ${o.checkId}`}
              onCancel={() => setEditing(false)}
              onSaved={(n) => {
                setEditing(false);
                onChanged(n);
              }}
            />
          </td>
        </tr>
      )}
    </Fragment>
  );
}
