import { useInfiniteQuery, useMutation, useQuery } from "@connectrpc/connect-query";
import { AIService } from "../../gen/wegweiser/v1/ai_pb";
import { ChatService } from "../../gen/wegweiser/v1/chat_pb";
import { useInvalidate } from "../../lib/queries";
import type { Entity } from "../health/labels";

/** useConversationPages pages through the caller's conversations about an entity, newest first. */
export function useConversationPages(scope: Entity) {
  return useInfiniteQuery(
    ChatService.method.listConversations,
    { scope, pageSize: 50, pageToken: "" },
    { pageParamKey: "pageToken", getNextPageParam: (last) => last.nextPageToken || undefined },
  );
}

/** useConversation loads a conversation with its messages (nothing while id is empty). */
export function useConversation(id: string) {
  // enabled rather than skipToken: invalidating the services' queries after a
  // change must not try to run a skipped query.
  return useQuery(ChatService.method.getConversation, { id }, { enabled: id !== "" });
}

/** useCreateConversation starts a conversation; the lists refetch. */
export function useCreateConversation() {
  const invalidate = useInvalidate();
  return useMutation(ChatService.method.createConversation, { onSuccess: () => invalidate(ChatService) });
}

/** useRenameConversation sets a conversation's title; the lists refetch. */
export function useRenameConversation() {
  const invalidate = useInvalidate();
  return useMutation(ChatService.method.renameConversation, { onSuccess: () => invalidate(ChatService) });
}

/** useDeleteConversation deletes a conversation and its messages; the lists refetch. */
export function useDeleteConversation() {
  const invalidate = useInvalidate();
  return useMutation(ChatService.method.deleteConversation, { onSuccess: () => invalidate(ChatService) });
}

/** useSubmitFeedback rates an answer; the conversation refetches with the rating. */
export function useSubmitFeedback() {
  const invalidate = useInvalidate();
  return useMutation(ChatService.method.submitFeedback, { onSuccess: () => invalidate(ChatService) });
}

/** useMemories lists what the assistant knows about an entity and the entities above it. */
export function useMemories(scope: Entity) {
  return useQuery(AIService.method.listMemories, { scope, includeInherited: true });
}

/** useCreateMemory teaches the assistant a fact; the memory lists refetch. */
export function useCreateMemory() {
  const invalidate = useInvalidate();
  return useMutation(AIService.method.createMemory, { onSuccess: () => invalidate(AIService) });
}

/** useDeleteMemory forgets a fact; the memory lists refetch. */
export function useDeleteMemory() {
  const invalidate = useInvalidate();
  return useMutation(AIService.method.deleteMemory, { onSuccess: () => invalidate(AIService) });
}

/** useNarrative loads the latest narrative of an entity's health. */
export function useNarrative(entity: Entity) {
  return useQuery(AIService.method.getNarrative, { entity }, { staleTime: 60_000 });
}

/** useRefreshNarrative asks for a new narrative (written in the background). */
export function useRefreshNarrative() {
  return useMutation(AIService.method.refreshNarrative);
}

/** useDiscoveryReport loads the discovery report of an organisation. */
export function useDiscoveryReport(organisationId: string) {
  return useQuery(AIService.method.getDiscoveryReport, { organisationId });
}

/** useAISettings loads the tenant's model endpoint settings (never the key). */
export function useAISettings() {
  return useQuery(AIService.method.getAISettings, {});
}

/** useUpdateAISettings stores the endpoint settings; settings and usage refetch. */
export function useUpdateAISettings() {
  const invalidate = useInvalidate();
  return useMutation(AIService.method.updateAISettings, { onSuccess: () => invalidate(AIService) });
}

/** useTestAISettings sends a short request to the effective endpoint. */
export function useTestAISettings() {
  return useMutation(AIService.method.testAISettings);
}

/** useAIUsage loads this month's token use and the latest model calls. */
export function useAIUsage() {
  return useQuery(AIService.method.getAIUsage, {});
}
