import type { DescService } from "@bufbuild/protobuf";
import { createConnectQueryKey } from "@connectrpc/connect-query";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";

/**
 * useInvalidate returns a function that marks every cached query of the given
 * services stale, so that visible lists and counts refetch after a change.
 */
export function useInvalidate() {
  const queryClient = useQueryClient();
  return useCallback(
    (...services: DescService[]) =>
      Promise.all(
        services.map((schema) =>
          queryClient.invalidateQueries({
            queryKey: createConnectQueryKey({ schema, cardinality: undefined }),
          }),
        ),
      ),
    [queryClient],
  );
}
