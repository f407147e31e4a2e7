import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { AIService } from "../../gen/wegweiser/v1/ai_pb";
import { ChatService } from "../../gen/wegweiser/v1/chat_pb";
import { EntityKind } from "../../gen/wegweiser/v1/health_pb";
import { FakeBackend, sickWorkstation } from "../fake-backend";

function clients(backend: FakeBackend) {
  const transport = createRouterTransport(backend.routes);
  const headers = { Authorization: `Bearer ${backend.accessToken}` };
  return { chat: createClient(ChatService, transport), ai: createClient(AIService, transport), headers };
}

async function codeOf(p: Promise<unknown>): Promise<Code | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

describe("fake ChatService and AIService", () => {
  it("streams question, tools, text deltas, citations and the stored answer, in that order", async () => {
    const backend = new FakeBackend();
    backend.addOrganisation("Contoso");
    const d = backend.addDevice("PC-07");
    backend.setDeviceHealth(d.id, sickWorkstation());
    const { chat, headers } = clients(backend);
    const { conversation } = await chat.createConversation({ scope: { kind: EntityKind.DEVICE, id: d.id } }, { headers });
    const events: string[] = [];
    for await (const res of chat.sendMessage({ conversationId: conversation?.id ?? "", text: "why?" }, { headers })) {
      events.push(res.event.case ?? "");
    }
    expect(events[0]).toBe("question");
    expect(events.at(-1)).toBe("answer");
    expect(events.indexOf("tool")).toBeLessThan(events.indexOf("textDelta"));
    expect(events.lastIndexOf("textDelta")).toBeLessThan(events.indexOf("citation"));
  });

  it("answers with the server's codes: invalid_argument for an empty or too long question, not_found for unknown ids", async () => {
    const backend = new FakeBackend();
    const { chat, ai, headers } = clients(backend);
    const { conversation } = await chat.createConversation({ scope: { kind: EntityKind.TENANT, id: "" } }, { headers });
    const id = conversation?.id ?? "";
    const drain = async (text: string, conversationId = id) => {
      for await (const _ of chat.sendMessage({ conversationId, text }, { headers })) void _;
    };
    expect(await codeOf(drain("  "))).toBe(Code.InvalidArgument);
    expect(await codeOf(drain("x".repeat(4001)))).toBe(Code.InvalidArgument);
    expect(await codeOf(drain("hello", "conv-unknown"))).toBe(Code.NotFound);
    expect(await codeOf(chat.getConversation({ id: "conv-unknown" }, { headers }))).toBe(Code.NotFound);
    expect(await codeOf(ai.deleteMemory({ id: "mem-unknown" }, { headers }))).toBe(Code.NotFound);
    expect(await codeOf(ai.getNarrative({ entity: { kind: EntityKind.DEVICE, id: "dev-unknown" } }, { headers }))).toBe(Code.NotFound);
    expect(await codeOf(ai.createMemory({ scope: { kind: EntityKind.TENANT, id: "" }, text: "" }, { headers }))).toBe(Code.InvalidArgument);
    // Nothing is stored for a question that got no answer.
    expect(backend.ai.messages.get(id)).toEqual([]);
  });

  it("never returns the API key", async () => {
    const backend = new FakeBackend();
    const { ai, headers } = clients(backend);
    const res = await ai.updateAISettings(
      { enabled: true, baseUrl: "https://ai.example.com/v1", model: "m", apiKey: "sk-secret" },
      { headers },
    );
    expect(res.settings?.hasApiKey).toBe(true);
    expect(JSON.stringify(res.settings, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain("sk-secret");
  });
});
