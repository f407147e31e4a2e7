import { skipToken, useMutation, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData } from "@tanstack/react-query";
import { useCallback } from "react";
import { HealthService, type HistoryRange } from "../../gen/wegweiser/v1/health_pb";
import { useInvalidate } from "../../lib/queries";
import type { Entity } from "./labels";

/** FINDINGS_MAX is the most findings one request may ask for. */
export const FINDINGS_MAX = 1000;


/** useHealth loads an entity's current health (nothing while entity is null). */
export function useHealth(entity: Entity | null) {
  return useQuery(HealthService.method.getHealth, entity ? { entity } : skipToken);
}

/** useFindings lists the findings behind an entity's score, worst first. */
export function useFindings(entity: Entity, opts: { includePassed?: boolean; pageSize?: number } = {}) {
  return useQuery(
    HealthService.method.listFindings,
    { entity, includePassed: opts.includePassed ?? false, pageSize: opts.pageSize ?? FINDINGS_MAX },
    { placeholderData: keepPreviousData },
  );
}

/** useHistory loads an entity's score changes over a range, oldest first. */
export function useHistory(entity: Entity, range: HistoryRange) {
  return useQuery(HealthService.method.getHistory, { entity, range }, { placeholderData: keepPreviousData });
}

/**
 * useExplainChange explains a device's latest score change, finding by
 * finding. Ask only once the device was analysed: before that the server
 * answers failed_precondition, which browsers log as a failed request.
 */
export function useExplainChange(deviceId: string, analysed: boolean) {
  return useQuery(HealthService.method.explainChange, analysed ? { deviceId } : skipToken);
}

/** useWorstDevices lists the lowest-scoring devices of an entity (nothing while entity is null). */
export function useWorstDevices(entity: Entity | null, limit: number) {
  return useQuery(HealthService.method.listWorstDevices, entity ? { entity, limit } : skipToken, {
    staleTime: 60_000,
  });
}

/** useCheckSummaries loads the "by check" view of a tenant, organisation or group. */
export function useCheckSummaries(entity: Entity) {
  return useQuery(HealthService.method.listCheckSummaries, { entity }, { staleTime: 60_000 });
}

/** useOrganisationHealth lists the organisations the caller can see with their health, worst first. */
export function useOrganisationHealth(enabled = true) {
  return useQuery(HealthService.method.listOrganisationHealth, enabled ? {} : skipToken);
}

/** useChecks loads the check catalogue (it changes only with a server release). */
export function useChecks() {
  return useQuery(HealthService.method.listChecks, {}, { staleTime: 10 * 60_000 });
}

/**
 * useScoringModel loads the scoring model: domain weights, band ranges,
 * penalties and caps, straight from the server's analyzer (the SPA keeps no
 * copy of these numbers). It changes only with a server release.
 */
export function useScoringModel() {
  return useQuery(HealthService.method.getScoringModel, {}, { staleTime: Infinity });
}

/** useRecompute queues the devices of an entity for analysis. */
export function useRecompute() {
  const refresh = useRefreshHealth();
  return useMutation(HealthService.method.recompute, {
    onSuccess: () => refresh(),
  });
}

/** useRefreshHealth returns a function that refetches every visible health query. */
export function useRefreshHealth() {
  const invalidate = useInvalidate();
  return useCallback(() => invalidate(HealthService), [invalidate]);
}
