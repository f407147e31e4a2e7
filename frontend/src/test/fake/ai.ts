import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate, timestampNow } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  AICallSchema,
  AIService,
  AISettingsSchema,
  AISource,
  DiscoveryReportSchema,
  Effort,
  MemorySchema,
  NarrativeSchema,
  type AICall,
  type AISettings,
  type DiscoveryReport,
  type Memory,
  type Narrative,
  RiskSchema,
} from "../../gen/wegweiser/v1/ai_pb";
import {
  ChatMessageSchema,
  ChatRole,
  ChatService,
  CitationSchema,
  ConversationSchema,
  Feedback,
  RecordKind,
  ToolActivitySchema,
  UsageSchema,
  type ChatMessage,
  type Citation,
  type Conversation,
  SendMessageResponseSchema,
  type ToolActivity,
} from "../../gen/wegweiser/v1/chat_pb";
import { Band, EntityKind, type EntityRef } from "../../gen/wegweiser/v1/health_pb";
import type { FakeBackend } from "../fake-backend";
import { entityKey, severityRank } from "./shared";

type Ref = { kind: EntityKind; id: string };

/** Init is a message's plain fields (nested messages as plain objects too). */
type Init<Desc extends DescMessage> = Exclude<MessageInitShape<Desc>, { $typeName: string }>;

/** FakeAnswer is what the fake assistant answers: text in chunks, tools and citations. */
export interface FakeAnswer {
  chunks: string[];
  tools?: Init<typeof ToolActivitySchema>[];
  citations?: Init<typeof CitationSchema>[];
}

/** Deferred is a promise a test resolves from outside (to hold a stream mid-answer). */
export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

/** deferred makes a Deferred. */
export function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** MAX_QUESTION is the server's limit on a question (characters). */
const MAX_QUESTION = 4000;

/**
 * FakeAI is the state of the fake ChatService and AIService: conversations
 * with their messages, memories, narratives, settings and usage. Tests seed
 * and inspect it through backend.ai.
 */
export class FakeAI {
  conversations: Conversation[] = [];
  messages = new Map<string, ChatMessage[]>();
  memories: Memory[] = [];
  /** Narratives by entityKey ("device:dev-1", "tenant:"). */
  narratives = new Map<string, Narrative>();
  /** Discovery reports by organisation id; without one, the fake puts one together from the findings. */
  reports = new Map<string, DiscoveryReport>();
  settings: AISettings = create(AISettingsSchema, {
    effectiveSource: AISource.AI_SOURCE_BUILTIN,
    effectiveModel: "builtin",
    effectiveTokenBudget: 2_000_000n,
  });
  /** The stored API key (never returned). */
  apiKey = "";
  tokensUsed = 0n;
  calls: AICall[] = [];
  /** Entities RefreshNarrative was asked for. */
  refreshed: Ref[] = [];
  /** When set, SendMessage waits for it after the first text delta. */
  hold: Deferred | null = null;
  /** What the assistant answers; by default a device answer built from the scope. */
  answer: ((question: string, conversation: Conversation) => FakeAnswer) | null = null;
  private seq = 0;

  nextId(prefix: string) {
    this.seq++;
    return `${prefix}-${this.seq}`;
  }

  /** addConversation seeds a conversation about an entity; later ones are newer. */
  addConversation(scope: Ref, title: string, scopeName = ""): Conversation {
    const c = create(ConversationSchema, {
      id: this.nextId("conv"),
      scope,
      scopeName,
      title,
      createTime: timestampFromDate(new Date(Date.now() - (1000 - this.seq) * 60_000)),
      updateTime: timestampFromDate(new Date(Date.now() - (1000 - this.seq) * 60_000)),
    });
    this.conversations.push(c);
    this.messages.set(c.id, []);
    return c;
  }

  /** addMessage stores a message in a conversation. */
  addMessage(conversationId: string, init: Init<typeof ChatMessageSchema>): ChatMessage {
    const m = create(ChatMessageSchema, { id: this.nextId("msg"), createTime: timestampNow(), ...init });
    const list = this.messages.get(conversationId) ?? [];
    list.push(m);
    this.messages.set(conversationId, list);
    const c = this.conversations.find((x) => x.id === conversationId);
    if (c) {
      c.messageCount = list.length;
      c.updateTime = m.createTime;
    }
    return m;
  }

  /** addMemory seeds a memory about an entity; later ones are newer. */
  addMemory(scope: Ref, text: string, extra: Init<typeof MemorySchema> = {}): Memory {
    const m = create(MemorySchema, {
      id: this.nextId("mem"),
      scope,
      text,
      createdBy: "u1",
      createdByName: "Ada",
      createTime: timestampFromDate(new Date(Date.now() - (1000 - this.seq) * 60_000)),
      ...extra,
    });
    this.memories.push(m);
    return m;
  }

  /** setNarrative stores an entity's narrative. */
  setNarrative(entity: Ref, init: Init<typeof NarrativeSchema>): Narrative {
    const n = create(NarrativeSchema, { entity, generateTime: timestampFromDate(new Date(Date.now() - 3_600_000)), ...init });
    this.narratives.set(entityKey(entity), n);
    return n;
  }

  /** addCall records a model call (newest first). */
  addCall(init: Init<typeof AICallSchema>): AICall {
    const c = create(AICallSchema, { createTime: timestampNow(), ...init });
    this.calls.unshift(c);
    this.tokensUsed += c.promptTokens + c.completionTokens;
    return c;
  }
}

/** scopeOf checks an EntityRef (tenant when the id is empty) and names the entity. */
function scopeOf(b: FakeBackend, ref: EntityRef | undefined, field: string): { ref: Ref; name: string } {
  if (!ref || ref.kind === EntityKind.UNSPECIFIED) throw new ConnectError(`${field}.kind: is required`, Code.InvalidArgument);
  if (ref.kind === EntityKind.TENANT) return { ref: { kind: EntityKind.TENANT, id: "" }, name: b.tenant.name };
  if (!ref.id) throw new ConnectError(`${field}.id: is required`, Code.InvalidArgument);
  switch (ref.kind) {
    case EntityKind.DEVICE: {
      const d = b.devices.find((x) => x.id === ref.id);
      if (!d) throw new ConnectError("device not found", Code.NotFound);
      return { ref: { kind: ref.kind, id: ref.id }, name: d.hostname };
    }
    case EntityKind.GROUP: {
      const g = b.groups.find((x) => x.id === ref.id);
      if (!g) throw new ConnectError("group not found", Code.NotFound);
      return { ref: { kind: ref.kind, id: ref.id }, name: g.name };
    }
    case EntityKind.ORGANISATION:
      return { ref: { kind: ref.kind, id: ref.id }, name: b.org(ref.id).name };
    default:
      throw new ConnectError(`${field}.kind: must be device, group, organisation or tenant`, Code.InvalidArgument);
  }
}

/** above lists an entity and the entities above it, nearest first. */
function above(b: FakeBackend, e: Ref): Ref[] {
  const out: Ref[] = [e];
  let orgId = "";
  if (e.kind === EntityKind.DEVICE) {
    const d = b.device(e.id);
    if (d.groupId) out.push({ kind: EntityKind.GROUP, id: d.groupId });
    orgId = d.organisationId;
  } else if (e.kind === EntityKind.GROUP) {
    orgId = b.groups.find((g) => g.id === e.id)?.organisationId ?? "";
  }
  if (orgId) out.push({ kind: EntityKind.ORGANISATION, id: orgId });
  if (e.kind !== EntityKind.TENANT) out.push({ kind: EntityKind.TENANT, id: "" });
  return out;
}

const same = (a: Ref | undefined, b: Ref) => !!a && a.kind === b.kind && (a.kind === EntityKind.TENANT || a.id === b.id);

/** defaultAnswer answers about the conversation's entity, citing it and its worst finding. */
function defaultAnswer(b: FakeBackend, c: Conversation): FakeAnswer {
  const scope = c.scope ?? { kind: EntityKind.TENANT, id: "" };
  const device = scope.kind === EntityKind.DEVICE ? b.devices.find((d) => d.id === scope.id) : b.devices[0];
  if (!device) {
    return {
      chunks: ["There are no devices ", "here yet."],
      tools: [{ name: "search_devices", summary: "devices in scope", result: "no data" }],
    };
  }
  const finding = b.deviceHealth.get(device.id)?.findings.find((f) => f.status === "fail");
  const entity = { kind: EntityKind.DEVICE, id: device.id };
  return {
    chunks: [`**${device.hostname}** `, `needs attention [1]. `, finding ? `It fails *${finding.title}* [2].` : "No check fails."],
    tools: [
      { name: "search_devices", summary: `devices named ${device.hostname}`, result: "1 device" },
      { name: "get_findings", summary: `findings of ${device.hostname}`, result: finding ? "findings found" : "no data" },
    ],
    citations: [
      { number: 1, kind: RecordKind.DEVICE, id: device.id, entity, label: device.hostname },
      ...(finding
        ? [{ number: 2, kind: RecordKind.FINDING, id: finding.checkId, entity, label: `${device.hostname} · ${finding.title}` }]
        : []),
    ],
  };
}

/** chatService answers ChatService for the fake backend b. */
export function chatService(b: FakeBackend): Partial<ServiceImpl<typeof ChatService>> {
  const ai = b.ai;
  const conversation = (id: string) => {
    const c = ai.conversations.find((x) => x.id === id);
    if (!c) throw new ConnectError("conversation not found", Code.NotFound);
    return c;
  };
  return {
    createConversation: (req, ctx) => {
      b.enter("CreateConversation", req, ctx);
      b.need("ai.use");
      const { ref, name } = scopeOf(b, req.scope, "scope");
      if (req.title.length > 200) throw new ConnectError("title: at most 200 characters", Code.InvalidArgument);
      return { conversation: ai.addConversation(ref, req.title, name) };
    },
    listConversations: (req, ctx) => {
      b.enter("ListConversations", req, ctx);
      b.need("ai.use");
      const scope = req.scope && req.scope.kind !== EntityKind.UNSPECIFIED ? scopeOf(b, req.scope, "scope").ref : null;
      const conversations = ai.conversations
        .filter((c) => !scope || same(c.scope, scope))
        .sort((x, y) => Number((y.updateTime?.seconds ?? 0n) - (x.updateTime?.seconds ?? 0n)) || y.id.localeCompare(x.id));
      // Pages as the server does: page_size 1 to 100 (default 50), an opaque token.
      const size = req.pageSize > 0 ? Math.min(req.pageSize, 100) : 50;
      const from = req.pageToken ? Number(req.pageToken.replace(/^p/, "")) : 0;
      if (!Number.isInteger(from) || from < 0) throw new ConnectError("page_token: not a token of this list", Code.InvalidArgument);
      const next = from + size < conversations.length ? `p${from + size}` : "";
      return { conversations: conversations.slice(from, from + size), nextPageToken: next };
    },
    getConversation: (req, ctx) => {
      b.enter("GetConversation", req, ctx);
      b.need("ai.use");
      const c = conversation(req.id);
      return { conversation: c, messages: ai.messages.get(c.id) ?? [] };
    },
    renameConversation: (req, ctx) => {
      b.enter("RenameConversation", req, ctx);
      b.need("ai.use");
      const c = conversation(req.id);
      const title = req.title.trim();
      if (!title || title.length > 200) throw new ConnectError("title: must be 1 to 200 characters", Code.InvalidArgument);
      c.title = title;
      return { conversation: c };
    },
    deleteConversation: (req, ctx) => {
      b.enter("DeleteConversation", req, ctx);
      b.need("ai.use");
      conversation(req.id);
      ai.conversations = ai.conversations.filter((c) => c.id !== req.id);
      ai.messages.delete(req.id);
      return {};
    },
    sendMessage: (req, ctx) => send(b, req.conversationId, req.text, ctx),
    submitFeedback: (req, ctx) => {
      b.enter("SubmitFeedback", req, ctx);
      b.need("ai.use");
      if (req.comment.length > 2000) throw new ConnectError("comment: at most 2000 characters", Code.InvalidArgument);
      for (const list of ai.messages.values()) {
        const m = list.find((x) => x.id === req.messageId && x.role === ChatRole.ASSISTANT);
        if (m) {
          m.feedback = req.feedback;
          return {};
        }
      }
      throw new ConnectError("message not found", Code.NotFound);
    },
  };
}

async function* send(
  b: FakeBackend,
  conversationId: string,
  text: string,
  ctx: HandlerContext,
): AsyncGenerator<Init<typeof SendMessageResponseSchema>> {
  const ai = b.ai;
  b.enter("SendMessage", { conversationId, text }, ctx);
  b.need("ai.use");
  const question = text.trim();
  if (!question) throw new ConnectError("text: must not be empty", Code.InvalidArgument);
  if (question.length > MAX_QUESTION) throw new ConnectError(`text: at most ${MAX_QUESTION} characters`, Code.InvalidArgument);
  const c = ai.conversations.find((x) => x.id === conversationId);
  if (!c) throw new ConnectError("conversation not found", Code.NotFound);
  const started = Date.now();

  let answer: FakeAnswer;
  const remember = /^remember:\s*(.+)$/is.exec(question);
  if (remember?.[1]) {
    b.need("ai.write");
    ai.addMemory(c.scope ?? { kind: EntityKind.TENANT, id: "" }, remember[1].trim(), {
      scopeName: c.scopeName,
      conversationId: c.id,
      createTime: timestampNow(),
    });
    answer = { chunks: [`I will remember that: ${remember[1].trim()}`] };
  } else {
    answer = ai.answer ? ai.answer(question, c) : defaultAnswer(b, c);
  }

  const q = ai.addMessage(c.id, { role: ChatRole.USER, text: question });
  if (!c.title) c.title = question.slice(0, 200);
  yield { event: { case: "question", value: q } };
  const tools: ToolActivity[] = (answer.tools ?? []).map((t) => create(ToolActivitySchema, t));
  for (const t of tools) yield { event: { case: "tool", value: t } };
  let full = "";
  for (const [i, chunk] of answer.chunks.entries()) {
    full += chunk;
    yield { event: { case: "textDelta", value: chunk } };
    if (i === 0 && ai.hold) await ai.hold.promise;
  }
  const citations: Citation[] = (answer.citations ?? []).map((x) => create(CitationSchema, x));
  for (const x of citations) yield { event: { case: "citation", value: x } };
  const builtin = ai.settings.effectiveSource === AISource.AI_SOURCE_BUILTIN;
  const usage = create(UsageSchema, {
    builtin,
    model: builtin ? "builtin" : ai.settings.effectiveModel,
    promptTokens: builtin ? 0n : 1200n,
    completionTokens: builtin ? 0n : BigInt(full.length),
    latencyMs: BigInt(Date.now() - started),
  });
  const stored = ai.addMessage(c.id, {
    role: ChatRole.ASSISTANT,
    text: full,
    tools,
    citations,
    usage,
    feedback: Feedback.UNSPECIFIED,
  });
  yield { event: { case: "answer", value: stored } };
}

/** risksOf groups the failing and warning findings of an organisation's devices by check, highest impact first. */
function risksOf(b: FakeBackend, organisationId: string): Init<typeof RiskSchema>[] {
  type Draft = Init<typeof RiskSchema> & {
    severity: string;
    impact: number;
    failDevices: number;
    warnDevices: number;
    evidence: string[];
    devices: { deviceId: string; hostname: string; score: number; band: Band }[];
  };
  const out = new Map<string, Draft>();
  for (const d of b.devices.filter((x) => x.organisationId === organisationId)) {
    const h = b.deviceHealth.get(d.id);
    for (const f of h?.findings ?? []) {
      if (f.suppressed || (f.status !== "fail" && f.status !== "warn")) continue;
      let r = out.get(f.checkId);
      if (!r) {
        r = {
          checkId: f.checkId,
          title: f.title,
          domain: f.domain,
          severity: f.severity,
          failDevices: 0,
          warnDevices: 0,
          impact: 0,
          effort: Effort.MINUTES,
          recommendation: f.recommendation,
          evidence: [],
          devices: [],
        };
        out.set(f.checkId, r);
      }
      if (severityRank(f.severity) > severityRank(r.severity)) r.severity = f.severity;
      r.impact += f.penalty;
      if (!r.devices.some((x) => x.deviceId === d.id)) {
        if (f.status === "fail") r.failDevices++;
        else r.warnDevices++;
        r.devices.push({ deviceId: d.id, hostname: d.hostname, score: h?.score ?? 0, band: h?.health.band ?? Band.UNSPECIFIED });
        const e = f.evidence[0];
        if (e && r.evidence.length < 5) r.evidence.push(`${d.hostname}: ${e.label} ${e.value}`.trim());
      }
    }
  }
  return [...out.values()].sort((x, y) => y.impact - x.impact).slice(0, 20);
}

/** aiService answers AIService for the fake backend b. */
export function aiService(b: FakeBackend): Partial<ServiceImpl<typeof AIService>> {
  const ai = b.ai;
  return {
    getAISettings: (req, ctx) => {
      b.enter("GetAISettings", req, ctx);
      b.need("ai.use");
      return { settings: ai.settings };
    },
    updateAISettings: (req, ctx) => {
      b.enter("UpdateAISettings", req, ctx);
      b.need("ai.manage");
      if (req.enabled && !req.baseUrl) throw new ConnectError("base_url: is required when enabled", Code.InvalidArgument);
      if (req.baseUrl && !/^https?:\/\//.test(req.baseUrl)) {
        throw new ConnectError("base_url: must be an http or https URL", Code.InvalidArgument);
      }
      if (/^https?:\/\/(127\.|localhost|10\.|192\.168\.)/.test(req.baseUrl)) {
        throw new ConnectError(
          "base_url: is a loopback or private address; the operator does not allow private endpoints",
          Code.InvalidArgument,
        );
      }
      if (req.enabled && !req.model) throw new ConnectError("model: is required when enabled", Code.InvalidArgument);
      if (req.monthlyTokenBudget < 0n || req.monthlyTokenBudget > 1_000_000_000n) {
        throw new ConnectError("monthly_token_budget: must be between 0 and 1000000000", Code.InvalidArgument);
      }
      if (req.clearApiKey) ai.apiKey = "";
      else if (req.apiKey) ai.apiKey = req.apiKey;
      const budget = req.monthlyTokenBudget || 2_000_000n;
      ai.settings = create(AISettingsSchema, {
        enabled: req.enabled,
        baseUrl: req.baseUrl,
        model: req.model,
        hasApiKey: ai.apiKey !== "",
        azureApiVersion: req.azureApiVersion,
        monthlyTokenBudget: req.monthlyTokenBudget,
        effectiveSource: req.enabled ? AISource.AI_SOURCE_TENANT : AISource.AI_SOURCE_BUILTIN,
        effectiveModel: req.enabled ? req.model : "builtin",
        effectiveTokenBudget: budget,
        updateTime: timestampNow(),
      });
      return { settings: ai.settings };
    },
    testAISettings: (req, ctx) => {
      b.enter("TestAISettings", req, ctx);
      b.need("ai.manage");
      if (ai.settings.effectiveSource === AISource.AI_SOURCE_BUILTIN) {
        return { ok: true, message: "No model is configured; the built-in answerer answers.", model: "builtin" };
      }
      ai.addCall({ purpose: "test", model: ai.settings.effectiveModel, promptTokens: 10n, completionTokens: 2n, latencyMs: 120n, outcome: 1 });
      return { ok: true, message: "The model answered.", model: ai.settings.effectiveModel, latencyMs: 120n };
    },
    getAIUsage: (req, ctx) => {
      b.enter("GetAIUsage", req, ctx);
      b.need("ai.manage");
      const now = new Date();
      return {
        tokensUsed: ai.tokensUsed,
        tokenBudget: ai.settings.effectiveTokenBudget,
        periodStart: timestampFromDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))),
        calls: ai.calls.slice(0, 50),
        callCount: ai.calls.length,
      };
    },
    listMemories: (req, ctx) => {
      b.enter("ListMemories", req, ctx);
      b.need("ai.use");
      const { ref } = scopeOf(b, req.scope, "scope");
      const levels = req.includeInherited ? above(b, ref) : [ref];
      const memories = levels.flatMap((level) =>
        ai.memories
          .filter((m) => same(m.scope, level))
          .sort((x, y) => Number((y.createTime?.seconds ?? 0n) - (x.createTime?.seconds ?? 0n)) || y.id.localeCompare(x.id)),
      );
      return { memories };
    },
    createMemory: (req, ctx) => {
      b.enter("CreateMemory", req, ctx);
      b.need("ai.write");
      const { ref, name } = scopeOf(b, req.scope, "scope");
      const text = req.text.trim();
      if (!text) throw new ConnectError("text: must not be empty", Code.InvalidArgument);
      if (text.length > 1000) throw new ConnectError("text: at most 1000 characters", Code.InvalidArgument);
      if (req.conversationId && !ai.conversations.some((c) => c.id === req.conversationId)) {
        throw new ConnectError("conversation not found", Code.NotFound);
      }
      return {
        memory: ai.addMemory(ref, text, {
          scopeName: name,
          conversationId: req.conversationId,
          createdBy: b.me.id,
          createdByName: b.me.displayName,
          createTime: timestampNow(),
        }),
      };
    },
    deleteMemory: (req, ctx) => {
      b.enter("DeleteMemory", req, ctx);
      b.need("ai.write");
      if (!ai.memories.some((m) => m.id === req.id)) throw new ConnectError("memory not found", Code.NotFound);
      ai.memories = ai.memories.filter((m) => m.id !== req.id);
      return {};
    },
    getNarrative: (req, ctx) => {
      b.enter("GetNarrative", req, ctx);
      b.need("ai.use");
      const { ref } = scopeOf(b, req.entity, "entity");
      return { narrative: ai.narratives.get(entityKey(ref)) };
    },
    refreshNarrative: (req, ctx) => {
      b.enter("RefreshNarrative", req, ctx);
      b.need("ai.write");
      const { ref } = scopeOf(b, req.entity, "entity");
      ai.refreshed.push(ref);
      return {};
    },
    getDiscoveryReport: (req, ctx) => {
      b.enter("GetDiscoveryReport", req, ctx);
      b.need("ai.use");
      if (!req.organisationId) throw new ConnectError("organisation_id: is required", Code.InvalidArgument);
      const o = b.org(req.organisationId);
      const set = ai.reports.get(o.id);
      if (set) return { report: set };
      const entity = { kind: EntityKind.ORGANISATION, id: o.id };
      const devices = b.devicesOf(entity);
      return {
        report: create(DiscoveryReportSchema, {
          organisationId: o.id,
          organisationName: o.name,
          generateTime: timestampNow(),
          health: b.rollUp(entity, devices).health,
          risks: risksOf(b, o.id),
          narrative: ai.narratives.get(entityKey(entity)),
          unscoredDevices: devices.filter((d) => !b.deviceHealth.get(d.id)?.scored).length,
        }),
      };
    },
  };
}
