import { Link } from "react-router";
import { features } from "../../lib/features";
import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { PolicyLevel } from "../../gen/wegweiser/v1/policy_pb";
import { useChecks } from "../health/hooks";
import { useEffectivePolicy } from "./hooks";
import { describeOverride, policyHref } from "./labels";
import { ScopeLink, useScopeNames } from "./ScopeName";

/**
 * EffectivePolicy lists the overrides that apply to a device after merging
 * every level, each linked to the level it comes from, and the AI guidance
 * of all levels (untrusted text: shown as text only).
 */
export function EffectivePolicy({ deviceId }: { deviceId: string }) {
  const policy = useEffectivePolicy(deviceId);
  const checks = useChecks();
  const names = useScopeNames();
  const overrides = policy.data?.overrides ?? [];
  const guidance = policy.data?.guidance ?? [];
  const own = policyHref({ level: PolicyLevel.DEVICE, id: deviceId });

  if (policy.isPending) return <Loading label="Loading the policy…" />;
  if (policy.isError) return <ErrorMessage error={policy.error} />;
  return (
    <div className="stack-small">
      {overrides.length === 0 ? (
        <Empty>No overrides: every check runs with its defaults.</Empty>
      ) : (
        <ul className="policy-list" aria-label="Overrides in effect">
          {overrides.map((o) => {
            const check = checks.data?.checks.find((c) => c.id === o.checkId);
            const scope = { level: o.scope?.level ?? PolicyLevel.UNSPECIFIED, id: o.scope?.id ?? "" };
            const from = scope.level === PolicyLevel.DEVICE ? "This device" : names(scope);
            return (
              <li key={o.id}>
                <div>
                  <strong>{check?.title ?? o.checkId}</strong> <span className="mono muted">{o.checkId}</span>
                </div>
                <div>{describeOverride(o, check).join(" · ")}</div>
                <div className="muted small">
                  {o.reason && <>“{o.reason}” · </>}set at <ScopeLink scope={scope} name={from} />
                  {o.updatedBy && <> by {o.updatedBy}</>}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {features.aiNarrative && guidance.length > 0 && (
        <div className="stack-small">
          <h4 className="policy-heading">Guidance for the AI narrative</h4>
          <ul className="policy-list" aria-label="Guidance in effect">
            {guidance.map((g, i) => (
              <li key={i} className="guidance-text">
                {g}
              </li>
            ))}
          </ul>
        </div>
      )}
      <p className="small">
        <Link to={own}>Open this device's policy</Link>
      </p>
    </div>
  );
}
