import { useState } from "react";
import { ErrorMessage, Loading } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { Effort, type Narrative } from "../../gen/wegweiser/v1/ai_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import type { Entity } from "../health/labels";
import { useNarrative, useRefreshNarrative } from "./hooks";
import { effortLabel } from "./labels";
import { Markdown } from "./Markdown";

/** effortBadge is the badge class of an effort estimate. */
function effortBadge(e: Effort): string {
  switch (e) {
    case Effort.MINUTES:
      return "badge-ok";
    case Effort.HOURS:
      return "badge-warn";
    case Effort.PROJECT:
      return "badge-danger";
    default:
      return "badge-muted";
  }
}

/** NarrativeBody is a narrative's text, its next steps and who wrote it when. */
export function NarrativeBody({ narrative: n }: { narrative: Narrative }) {
  return (
    <div className="narrative">
      <Markdown text={n.text} />
      {n.nextSteps.length > 0 && (
        <>
          <h3>Next steps</h3>
          <ol className="next-steps" aria-label="Next steps">
            {n.nextSteps.map((s, i) => (
              <li key={i}>
                <div className="next-step-head">
                  <strong>{s.title}</strong>{" "}
                  <span className={`badge ${effortBadge(s.effort)}`} title="Rough effort">
                    {effortLabel(s.effort)}
                  </span>
                </div>
                {s.detail && <Markdown text={s.detail} className="small" />}
              </li>
            ))}
          </ol>
        </>
      )}
      <p className="small muted narrative-meta">
        {n.model === "builtin" || !n.model ? "Written by Wegweiser without a model" : `Written by ${n.model}`}{" "}
        <RelativeTime value={n.generateTime} never="at an unknown time" />
        {n.stale && (
          <>
            {" · "}
            <span className="badge badge-warn">Stale</span> the findings changed since; a new narrative is on its way.
          </>
        )}
      </p>
    </div>
  );
}

/**
 * NarrativeCard explains an entity's health in words on its health page:
 * the latest narrative with prioritised next steps, its model and age, and
 * a Refresh button for technicians and above.
 */
export function NarrativeCard({ entity }: { entity: Entity }) {
  const narrative = useNarrative(entity);
  const refresh = useRefreshNarrative();
  const canUse = useCan(Permission.AIUse);
  const canWrite = useCan(Permission.AIWrite);
  const [asked, setAsked] = useState(false);
  if (!canUse) return null;
  const n = narrative.data?.narrative;
  return (
    <Section
      title="In words"
      actions={
        canWrite ? (
          <button
            type="button"
            className="btn btn-small"
            disabled={refresh.isPending}
            onClick={() => refresh.mutate({ entity }, { onSuccess: () => setAsked(true) })}
          >
            {refresh.isPending ? "Asking…" : "Refresh"}
          </button>
        ) : undefined
      }
    >
      {narrative.isPending ? (
        <Loading label="Loading the narrative…" />
      ) : n ? (
        <NarrativeBody narrative={n} />
      ) : narrative.error ? (
        <ErrorMessage error={narrative.error} />
      ) : (
        <p className="muted">A narrative is being written. It appears here in a few minutes.</p>
      )}
      {asked && !refresh.error && (
        <p className="small muted" role="status">
          A new narrative is being written; an unchanged health keeps the current one.
        </p>
      )}
      <ErrorMessage error={refresh.error} />
    </Section>
  );
}
