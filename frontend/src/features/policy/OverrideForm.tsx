import { useState, type FormEvent } from "react";
import { SelectField, TextArea, TextField } from "../../components/Fields";
import { ErrorMessage } from "../../components/Feedback";
import type { CheckInfo } from "../../gen/wegweiser/v1/health_pb";
import type { Override } from "../../gen/wegweiser/v1/policy_pb";
import { DOMAINS, domainLabel } from "../health/labels";
import { useSetOverride } from "./hooks";
import { parseThreshold, SEVERITIES, type Scope } from "./labels";

/** REASON_MAX is the server's limit for an override's reason. */
const REASON_MAX = 500;

type Runs = "" | "on" | "off";

/**
 * OverrideForm adds an override at a level, or (with `initial`) changes one:
 * whether the check runs, its thresholds (only for checks with numeric
 * thresholds), the severity of a failure, suppression, and why (required).
 */
export function OverrideForm({
  scope,
  checks,
  initial,
  label,
  onSaved,
  onCancel,
}: {
  scope: Scope;
  checks: CheckInfo[];
  initial?: Override;
  /** The form's accessible name, e.g. "Add override". */
  label: string;
  /** Called with the number of devices queued for re-analysis. */
  onSaved: (queuedDevices: number) => void;
  onCancel?: () => void;
}) {
  const save = useSetOverride();
  const [checkId, setCheckId] = useState(initial?.checkId ?? "");
  const [runs, setRuns] = useState<Runs>(initial?.enabled === undefined ? "" : initial.enabled ? "on" : "off");
  const [warn, setWarn] = useState(initial?.warn === undefined ? "" : String(initial.warn));
  const [fail, setFail] = useState(initial?.fail === undefined ? "" : String(initial.fail));
  const [severity, setSeverity] = useState(initial?.severity ?? "");
  const [suppress, setSuppress] = useState(initial?.suppress ?? false);
  const [reason, setReason] = useState(initial?.reason ?? "");
  const [problem, setProblem] = useState("");

  const check = checks.find((c) => c.id === checkId);
  const warnDefault = check ? parseThreshold(check.warn) : null;
  const failDefault = check ? parseThreshold(check.fail) : null;
  // Known domains in the analyzer's order, then any the SPA does not know yet.
  const domains = [...DOMAINS.map((d) => d.id), ...checks.map((c) => c.domain)].filter((d, i, a) => a.indexOf(d) === i);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem("");
    const number = (text: string) => (text.trim() === "" ? undefined : Number(text));
    const w = warnDefault ? number(warn) : undefined;
    const f = failDefault ? number(fail) : undefined;
    const enabled = runs === "" ? undefined : runs === "on";
    const why = reason.trim();
    let msg = "";
    if (!check) msg = "Choose a check.";
    else if (!why) msg = "Say why: a reason is required.";
    else if ((w !== undefined && !Number.isFinite(w)) || (f !== undefined && !Number.isFinite(f))) msg = "Thresholds must be numbers.";
    else if (enabled === undefined && w === undefined && f === undefined && !severity && !suppress) {
      msg = "The override changes nothing: switch the check on or off, change a threshold or the severity, or suppress it.";
    }
    if (msg) {
      setProblem(msg);
      return;
    }
    save.mutate(
      { scope, checkId, enabled, warn: w, fail: f, severity, suppress, reason: why },
      { onSuccess: (res) => onSaved(res.queuedDevices) },
    );
  };

  return (
    <form className="form" onSubmit={submit} aria-label={label} noValidate>
      <SelectField
        label="Check"
        required
        value={checkId}
        disabled={Boolean(initial)}
        onChange={(e) => {
          setCheckId(e.target.value);
          setWarn("");
          setFail("");
        }}
        hint={check ? <CheckDefaults check={check} /> : "The check to change at this level."}
      >
        <option value="">Choose a check…</option>
        {domains.map((d) => {
          const mine = checks.filter((c) => c.domain === d);
          if (mine.length === 0) return null;
          return (
            <optgroup key={d} label={domainLabel(d)}>
              {mine.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title} ({c.id})
                </option>
              ))}
            </optgroup>
          );
        })}
      </SelectField>
      <SelectField
        label="Check runs"
        value={runs}
        onChange={(e) => setRuns(e.target.value as Runs)}
        hint="Switching a check off here wins over wider levels; so does switching it back on."
      >
        <option value="">As inherited (runs unless a wider level switched it off)</option>
        <option value="on">Yes, run it</option>
        <option value="off">No, switch it off</option>
      </SelectField>
      {check && (warnDefault || failDefault) && (
        <div className="form-pair">
          {warnDefault && (
            <TextField
              label="Warn threshold"
              type="number"
              inputMode="decimal"
              step="any"
              placeholder={String(warnDefault.value)}
              value={warn}
              onChange={(e) => setWarn(e.target.value)}
              hint={`Warns when the value is ${warnDefault.op || "at"} this (${check.unit || "no unit"}). Empty keeps ${check.warn}.`}
            />
          )}
          {failDefault && (
            <TextField
              label="Fail threshold"
              type="number"
              inputMode="decimal"
              step="any"
              placeholder={String(failDefault.value)}
              value={fail}
              onChange={(e) => setFail(e.target.value)}
              hint={`Fails when the value is ${failDefault.op || "at"} this (${check.unit || "no unit"}). Empty keeps ${check.fail}.`}
            />
          )}
        </div>
      )}
      <SelectField label="Severity of a failure" value={severity} onChange={(e) => setSeverity(e.target.value)}>
        <option value="">Default{check ? ` (${check.severity})` : ""}</option>
        {SEVERITIES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </SelectField>
      <label className="checkbox">
        <input type="checkbox" checked={suppress} onChange={(e) => setSuppress(e.target.checked)} />
        Suppress: keep the finding, but it costs no points
      </label>
      <TextArea
        label="Reason"
        required
        maxLength={REASON_MAX}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        hint="Required. Why this level differs, e.g. who agreed to it; shown with the override and in the audit log."
      />
      {problem && (
        <div className="alert alert-error" role="alert">
          {problem}
        </div>
      )}
      <ErrorMessage error={save.error} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : initial ? "Save changes" : "Add override"}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel} disabled={save.isPending}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** CheckDefaults says what a check does by default. */
function CheckDefaults({ check }: { check: CheckInfo }) {
  const numeric = parseThreshold(check.warn) || parseThreshold(check.fail);
  return (
    <>
      Default: {check.warn && <>warn {check.warn}, </>}
      {check.fail && <>fail {check.fail}, </>}
      {check.unit && numeric && <>in {check.unit}; </>}
      severity {check.severity}.
      {!numeric && " It has no numeric threshold: switch it off, change its severity or suppress it."}
    </>
  );
}
