import type { ReactNode } from "react";
import { QueryState } from "../../components/Feedback";
import { Section, Subsection } from "../../components/Page";
import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { BandDistribution, HealthSummary } from "./HealthSummary";
import { HealthTrend } from "./HealthTrend";
import { useHealth } from "./hooks";
import type { Entity } from "./labels";
import { RecomputeButton } from "./RecomputeButton";
import { WorstDevices } from "./WorstDevices";

/**
 * HealthPanel is the health of a group, an organisation or the tenant: the
 * score with its band and cap, devices by band, the trend and the worst
 * devices. children go beside the worst devices (e.g. worst organisations).
 */
export function HealthPanel({
  entity,
  what,
  title = "Health",
  recompute = false,
  children,
}: {
  entity: Entity;
  /** Names the entity in accessible labels: "Tenant", "Organisation", "Group". */
  what: string;
  title?: string;
  /** Offer "Re-analyse all devices" (only shown with device.write). */
  recompute?: boolean;
  children?: ReactNode;
}) {
  const health = useHealth(entity);
  const canWrite = useCan(Permission.DeviceWrite);
  return (
    <Section
      title={title}
      actions={recompute && canWrite ? <RecomputeButton entity={entity} label="Re-analyse all devices" /> : undefined}
    >
      <QueryState
        query={health}
        loading="Loading health…"
        isEmpty={(d) => !d.health}
        empty="No health data yet."
      >
        {(data) => {
          const h = data.health;
          if (!h) return null;
          return (
        <>
          <div className="health-overview">
            <div className="stack-small">
              <HealthSummary health={h} what={what} />
              <BandDistribution health={h} />
            </div>
            <Subsection title="Trend">
              <HealthTrend entity={entity} what={what} />
            </Subsection>
          </div>
          <div className="grid-2 health-lists">
            <Subsection title="Worst devices">
              <WorstDevices devices={data.worst ?? []} showOrganisation={entity.kind === EntityKind.TENANT} />
            </Subsection>
            {children}
          </div>
        </>
          );
        }}
      </QueryState>
    </Section>
  );
}
