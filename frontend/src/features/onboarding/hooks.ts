import { useMutation, useQuery } from "@connectrpc/connect-query";
import { OnboardingService } from "../../gen/wegweiser/v1/onboarding_pb";
import { useInvalidate } from "../../lib/queries";

/** polling says how often (ms) the checklist asks again while it waits for the first device; tests shorten it. */
export const polling = { waitingMs: 4000 };

/**
 * useChecklist loads the tenant's getting-started checklist; while enabled
 * and waiting for the first device it asks again every few seconds, so the
 * card turns into the device's score by itself.
 */
export function useChecklist(enabled = true) {
  return useQuery(
    OnboardingService.method.getChecklist,
    {},
    {
      enabled,
      refetchInterval: (query) => {
        const data = query.state.data;
        if (!data || data.complete || data.dismissed || data.firstDevice) return false;
        return polling.waitingMs;
      },
    },
  );
}

/** useDismissChecklist hides (or brings back) the checklist for the whole tenant. */
export function useDismissChecklist() {
  const invalidate = useInvalidate();
  return useMutation(OnboardingService.method.dismissChecklist, {
    onSuccess: () => invalidate(OnboardingService),
  });
}

/** useSeenTours lists the tours the signed-in user has finished or skipped. */
export function useSeenTours(enabled = true) {
  return useQuery(OnboardingService.method.listSeenTours, {}, { enabled, staleTime: Infinity });
}

/** useMarkTourSeen records that the user finished or skipped a tour. */
export function useMarkTourSeen() {
  const invalidate = useInvalidate();
  return useMutation(OnboardingService.method.markTourSeen, {
    onSuccess: () => invalidate(OnboardingService),
  });
}
