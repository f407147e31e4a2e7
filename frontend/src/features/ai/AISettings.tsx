import { createColumnHelper } from "@tanstack/react-table";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { DataTable } from "../../components/DataTable";
import { TextField } from "../../components/Fields";
import { ErrorMessage, Loading, Notice, QueryState } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { AISource, type AICall, type AISettings } from "../../gen/wegweiser/v1/ai_pb";
import { splitFieldError } from "../../lib/errors";
import { toDate } from "../../lib/time";
import { useAISettings, useAIUsage, useTestAISettings, useUpdateAISettings } from "./hooks";
import { outcomeLabel, sourceLabel } from "./labels";

type Field = "enabled" | "baseUrl" | "model" | "apiKey" | "azureApiVersion" | "monthlyTokenBudget";

/** The request's field names (as the server names them) and the form's. */
const FIELDS: Record<string, Field> = {
  enabled: "enabled",
  base_url: "baseUrl",
  model: "model",
  api_key: "apiKey",
  clear_api_key: "apiKey",
  azure_api_version: "azureApiVersion",
  monthly_token_budget: "monthlyTokenBudget",
};

/** MAX_BUDGET is the largest monthly token budget the server takes. */
const MAX_BUDGET = 1_000_000_000;

interface Draft {
  enabled: boolean;
  baseUrl: string;
  model: string;
  apiKey: string;
  clearApiKey: boolean;
  azureApiVersion: string;
  monthlyTokenBudget: string;
}

function draftOf(s: AISettings): Draft {
  return {
    enabled: s.enabled,
    baseUrl: s.baseUrl,
    model: s.model,
    apiKey: "",
    clearApiKey: false,
    azureApiVersion: s.azureApiVersion,
    monthlyTokenBudget: s.monthlyTokenBudget ? String(s.monthlyTokenBudget) : "",
  };
}

/** AISettingsPage is /settings/ai: the tenant's model endpoint, a test, and this month's usage (owners). */
export function AISettingsPage() {
  return (
    <Page
      title="AI assistant"
      subtitle="Which language model answers questions and writes narratives for this tenant, and what it costs."
      breadcrumb={
        <>
          <Link to="/settings">Settings</Link>
          <span aria-hidden="true"> / </span>
        </>
      }
    >
      <EndpointSettings />
      <Usage />
    </Page>
  );
}

/** EndpointSettings shows the settings in effect and the tenant's own endpoint form. */
function EndpointSettings() {
  const query = useAISettings();
  const update = useUpdateAISettings();
  const test = useTestAISettings();
  const [edited, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({});
  const s = query.data?.settings;
  const draft = edited ?? (s ? draftOf(s) : null);
  const { byField: serverErrors, rest } = splitFieldError(update.error, FIELDS);
  const errors = { ...serverErrors, ...local };

  const set = (patch: Partial<Draft>) => {
    if (!draft) return;
    setSaved(false);
    setDraft({ ...draft, ...patch });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    // The server checks everything again; these catch the obvious before a round trip.
    const problems: Partial<Record<Field, string>> = {};
    const budget = draft.monthlyTokenBudget.trim() === "" ? 0 : Number(draft.monthlyTokenBudget);
    if (!Number.isInteger(budget) || budget < 0 || budget > MAX_BUDGET) {
      problems.monthlyTokenBudget = `Must be a whole number from 0 to ${MAX_BUDGET.toLocaleString()}`;
    }
    if (draft.enabled && !draft.baseUrl.trim()) problems.baseUrl = "Required when the tenant's endpoint is used";
    if (draft.baseUrl.trim() && !/^https?:\/\/\S+$/i.test(draft.baseUrl.trim())) {
      problems.baseUrl = "Must be an http or https URL";
    }
    if (draft.enabled && !draft.model.trim()) problems.model = "Required when the tenant's endpoint is used";
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    update.mutate(
      {
        enabled: draft.enabled,
        baseUrl: draft.baseUrl.trim(),
        model: draft.model.trim(),
        apiKey: draft.apiKey,
        clearApiKey: draft.clearApiKey,
        azureApiVersion: draft.azureApiVersion.trim(),
        monthlyTokenBudget: BigInt(budget),
      },
      {
        onSuccess: () => {
          // The key never comes back: forget what was typed.
          setDraft(null);
          setSaved(true);
        },
      },
    );
  };

  return (
    <Section title="Language model">
      {query.isPending && <Loading />}
      <ErrorMessage error={query.error} />
      {s && draft && (
        <>
          <dl className="facts" aria-label="In effect">
            <div>
              <dt>Answers come from</dt>
              <dd>{sourceLabel(s.effectiveSource)}</dd>
            </div>
            <div>
              <dt>Model in effect</dt>
              <dd>{s.effectiveSource === AISource.AI_SOURCE_BUILTIN ? "None (built-in answerer)" : s.effectiveModel}</dd>
            </div>
            <div>
              <dt>Monthly token budget in effect</dt>
              <dd>{Number(s.effectiveTokenBudget).toLocaleString()} tokens</dd>
            </div>
            <div>
              <dt>Last changed</dt>
              <dd>
                <RelativeTime value={s.updateTime} />
              </dd>
            </div>
          </dl>
          <form className="form" onSubmit={submit} aria-label="Language model settings" noValidate>
            <label className="checkbox">
              <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
              Use this tenant's own endpoint
            </label>
            <small className="hint">
              Off: the operator's default endpoint answers, or Wegweiser's built-in answerer when there is none.
            </small>
            <TextField
              label="Base URL"
              type="url"
              maxLength={500}
              placeholder="https://api.openai.com/v1"
              value={draft.baseUrl}
              error={errors.baseUrl}
              onChange={(e) => set({ baseUrl: e.target.value })}
              hint="Any OpenAI-compatible API: OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio."
            />
            <TextField
              label="Model"
              maxLength={200}
              placeholder="gpt-4o-mini"
              value={draft.model}
              error={errors.model}
              onChange={(e) => set({ model: e.target.value })}
              hint="For Azure OpenAI, the deployment name."
            />
            <TextField
              label="API key"
              type="password"
              autoComplete="new-password"
              maxLength={500}
              value={draft.apiKey}
              error={errors.apiKey}
              disabled={draft.clearApiKey}
              onChange={(e) => set({ apiKey: e.target.value })}
              hint={
                s.hasApiKey
                  ? "A key is stored (it is never shown). Leave empty to keep it."
                  : "No key is stored. Local endpoints (Ollama) often need none."
              }
            />
            {s.hasApiKey && (
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.clearApiKey}
                  onChange={(e) => set({ clearApiKey: e.target.checked, apiKey: "" })}
                />
                Remove the stored key
              </label>
            )}
            <TextField
              label="Azure API version"
              maxLength={50}
              placeholder="2024-10-21"
              value={draft.azureApiVersion}
              error={errors.azureApiVersion}
              onChange={(e) => set({ azureApiVersion: e.target.value })}
              hint="Only for Azure OpenAI; leave empty for other endpoints."
            />
            <TextField
              label="Monthly token budget"
              type="number"
              inputMode="numeric"
              min={0}
              max={MAX_BUDGET}
              value={draft.monthlyTokenBudget}
              error={errors.monthlyTokenBudget}
              onChange={(e) => set({ monthlyTokenBudget: e.target.value })}
              hint="Tokens per calendar month (UTC); empty or 0 for the operator's default. Past it, questions are refused until the next month."
            />
            <ErrorMessage error={rest} />
            {saved && <Notice>Settings saved.</Notice>}
            <div className="row">
              <button type="submit" className="btn btn-primary" disabled={update.isPending}>
                {update.isPending ? "Saving…" : "Save settings"}
              </button>
              <button type="button" className="btn" disabled={test.isPending} onClick={() => test.mutate({})}>
                {test.isPending ? "Testing…" : "Test the endpoint in effect"}
              </button>
            </div>
          </form>
          <ErrorMessage error={test.error} title="The test failed." />
          {test.data && (
            <div className={`alert ${test.data.ok ? "alert-success" : "alert-error"}`} role="status">
              <strong>{test.data.ok ? "The endpoint answered." : "The endpoint did not answer."}</strong> {test.data.message}
              {test.data.model && ` · model ${test.data.model}`}
              {test.data.latencyMs > 0n && ` · ${Number(test.data.latencyMs).toLocaleString()} ms`}
            </div>
          )}
        </>
      )}
    </Section>
  );
}

const col = createColumnHelper<AICall>();
const callColumns = [
  col.accessor((c) => Number(c.createTime?.seconds ?? 0n), {
    id: "time",
    header: "When",
    cell: (c) => <RelativeTime value={c.row.original.createTime} />,
  }),
  col.accessor("purpose", { header: "For" }),
  col.accessor("model", { header: "Model" }),
  col.accessor((c) => Number(c.promptTokens + c.completionTokens), {
    id: "tokens",
    header: "Tokens",
    meta: { className: "num" },
    cell: (c) => c.getValue<number>().toLocaleString(),
  }),
  col.accessor((c) => Number(c.latencyMs), {
    id: "latency",
    header: "Time (ms)",
    meta: { className: "num" },
    cell: (c) => c.getValue<number>().toLocaleString(),
  }),
  col.accessor("outcome", { header: "Outcome", cell: (c) => outcomeLabel(c.getValue()) }),
];

/** Usage shows this month's tokens against the budget and the latest model calls. */
function Usage() {
  const usage = useAIUsage();
  return (
    <Section title="Usage this month">
      <QueryState query={usage} loading="Loading usage…">
        {(u) => {
          const used = Number(u.tokensUsed);
          const budget = Number(u.tokenBudget);
          const share = budget > 0 ? Math.min(1, used / budget) : 0;
          const tone = share >= 1 ? " meter-danger" : share >= 0.8 ? " meter-warn" : "";
          return (
            <div className="stack-small">
              <p>
                {used.toLocaleString()} of {budget.toLocaleString()} tokens used this month (since{" "}
                {toDate(u.periodStart)?.toLocaleDateString(undefined, { day: "numeric", month: "long", timeZone: "UTC" }) ??
                  "the 1st"}
                , UTC) in {u.callCount.toLocaleString()} model calls.
              </p>
              <div
                className={`meter meter-wide${tone}`}
                role="progressbar"
                aria-label="Tokens used of the monthly budget"
                aria-valuemin={0}
                aria-valuemax={budget}
                aria-valuenow={Math.min(used, budget)}
              >
                <span className="meter-fill" style={{ width: `${Math.round(share * 100)}%` }} />
              </div>
              <DataTable
                label="Model calls"
                data={u.calls}
                columns={callColumns}
                compact
                empty="No model calls this month. The built-in answerer costs no tokens."
              />
            </div>
          );
        }}
      </QueryState>
    </Section>
  );
}
