import type { DeviceScore } from "../../gen/wegweiser/v1/health_pb";
import { useViewer } from "../auth/hooks";
import { useWorstDevices, WORST_LOOKUP_LIMIT } from "./hooks";
import { groupEntity, organisationEntity, TENANT, type Entity } from "./labels";
import { ScoreBadge } from "./ScoreBadge";

/**
 * ScoreLookup answers "what is this device's score" for a device table from
 * one ListWorstDevices request (never one request per row). When the server
 * returned fewer than the limit it holds every scored device; otherwise a
 * device not in it scores at least `floor`.
 */
export interface ScoreLookup {
  pending: boolean;
  byId: Map<string, DeviceScore>;
  complete: boolean;
  floor: number;
}

/**
 * useScoreLookup looks up the scores of the devices of a group, an
 * organisation or (unless the caller is limited to some organisations) the
 * tenant. It returns null when there is nothing to show, e.g. after an error.
 */
export function useScoreLookup(filter: { organisationId?: string; groupId?: string }): ScoreLookup | null {
  const viewer = useViewer();
  const scoped = (viewer.user?.organisationIds.length ?? 0) > 0;
  const entity: Entity | null = filter.groupId
    ? groupEntity(filter.groupId)
    : filter.organisationId
      ? organisationEntity(filter.organisationId)
      : scoped
        ? null
        : TENANT;
  const worst = useWorstDevices(entity, WORST_LOOKUP_LIMIT);
  if (!entity || worst.isError) return null;
  const devices = worst.data?.devices ?? [];
  return {
    pending: worst.isPending,
    byId: new Map(devices.map((d) => [d.deviceId, d])),
    complete: devices.length < WORST_LOOKUP_LIMIT,
    floor: devices.at(-1)?.score ?? 0,
  };
}

/** DeviceScoreCell shows one device's score from a lookup. */
export function DeviceScoreCell({ id, lookup }: { id: string; lookup: ScoreLookup }) {
  if (lookup.pending) return <span className="muted">…</span>;
  const d = lookup.byId.get(id);
  if (d) {
    return (
      <>
        <ScoreBadge score={d.score} band={d.band} />
        {d.stale && <span className="badge badge-warn badge-inline">stale</span>}
      </>
    );
  }
  if (lookup.complete) {
    return (
      <span className="muted" title="Not analysed yet">
        —
      </span>
    );
  }
  return (
    <span className="muted" title={`Not among the ${WORST_LOOKUP_LIMIT} lowest scores; open the device for its score`}>
      ≥ {lookup.floor}
    </span>
  );
}
