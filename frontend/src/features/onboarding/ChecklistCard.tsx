import { useState } from "react";
import { Link } from "react-router";
import { ErrorMessage } from "../../components/Feedback";
import { ChecklistStepId, type ChecklistStep, type GetChecklistResponse } from "../../gen/wegweiser/v1/onboarding_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { ScoreBadge } from "../health/ScoreBadge";
import { useChecklist, useDismissChecklist } from "./hooks";

/** SHOW_KEY keeps, per browser, that the user asked to see the checklist again. */
export const SHOW_KEY = "wegweiser.checklist.show";

function forcedShown(): boolean {
  try {
    return localStorage.getItem(SHOW_KEY) === "1";
  } catch {
    return false;
  }
}

function setForced(on: boolean) {
  try {
    if (on) localStorage.setItem(SHOW_KEY, "1");
    else localStorage.removeItem(SHOW_KEY);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
}

/**
 * ChecklistCard is the overview's getting-started checklist: it stays
 * until every required step is done or an owner or admin dismisses it, and
 * "Show getting started" brings it back. While no device has reported it
 * waits for one live and then shows its score.
 */
export function ChecklistCard() {
  const [forced, setForcedState] = useState(forcedShown);
  const checklist = useChecklist();
  const dismiss = useDismissChecklist();
  const canManage = useCan(Permission.OnboardingManage);
  const data = checklist.data;
  if (!data) return null;
  const open = !data.dismissed && !data.complete;

  const show = () => {
    setForced(true);
    setForcedState(true);
    if (data.dismissed && canManage) dismiss.mutate({ dismissed: false });
  };
  const hide = () => {
    setForced(false);
    setForcedState(false);
  };

  if (!open && !forced) {
    return (
      <p className="checklist-again">
        <button type="button" className="btn btn-ghost-dark btn-small" onClick={show}>
          Show getting started
        </button>
      </p>
    );
  }
  const done = data.steps.filter((s) => s.done).length;
  const total = data.steps.length;
  return (
    <section className="card callout checklist" aria-labelledby="checklist-title" data-tour="checklist">
      <header className="card-header">
        <h2 id="checklist-title">Get started</h2>
        <div className="card-actions">
          {canManage && !data.dismissed && (
            <button
              type="button"
              className="btn btn-small"
              disabled={dismiss.isPending}
              onClick={() => {
                hide();
                dismiss.mutate({ dismissed: true });
              }}
            >
              Dismiss
            </button>
          )}
          {forced && (!canManage || data.dismissed) && (
            <button type="button" className="btn btn-small" onClick={hide}>
              Hide
            </button>
          )}
        </div>
      </header>
      <p className="checklist-progress-label" id="checklist-progress">
        {data.complete ? "All set: every required step is done." : `${done} of ${total} steps done`}
      </p>
      <div
        className="checklist-progress"
        role="progressbar"
        aria-labelledby="checklist-progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
      >
        <span style={{ width: `${total ? (100 * done) / total : 0}%` }} />
      </div>
      {dismiss.error && <ErrorMessage error={dismiss.error} />}
      <ol className="checklist-steps">
        {data.steps.map((s) => (
          <li key={s.id} className={s.done ? "done" : undefined}>
            <span className="checklist-mark" aria-hidden="true">
              {s.done ? "✓" : ""}
            </span>
            <div>
              <StepTitle step={s} />
              {s.optional && <span className="muted"> (optional)</span>}
              <span className="sr-only">{s.done ? " — done" : " — to do"}</span>
              <p className="muted">{s.description}</p>
              {s.id === ChecklistStepId.FIRST_DEVICE && <FirstDevice data={data} step={s} />}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function StepTitle({ step }: { step: ChecklistStep }) {
  if (step.done || !step.actionPath) return <strong>{step.title}</strong>;
  return (
    <Link to={step.actionPath}>
      <strong>{step.title}</strong>
    </Link>
  );
}

/** FirstDevice waits for the first device to report, then shows its score. */
function FirstDevice({ data, step }: { data: GetChecklistResponse; step: ChecklistStep }) {
  const d = data.firstDevice;
  if (d) {
    return (
      <p className="checklist-device" role="status">
        <ScoreBadge score={d.health?.score ?? 0} band={d.health?.band ?? 0} />{" "}
        <Link to={`/devices/${d.id}`}>{d.hostname}</Link> reported and was scored.
      </p>
    );
  }
  if (step.done) return null;
  return (
    <div className="checklist-waiting" role="status">
      <strong>Waiting for your first device…</strong>
      <p className="muted">
        Create a key on the <Link to="/enrolment">Enrolment page</Link>, run its install command on a customer's
        machine, and this card shows its score as soon as it has reported.
      </p>
    </div>
  );
}
