import { Code, ConnectError } from "@connectrpc/connect";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { ConfirmButton } from "../../components/ConfirmButton";
import { CopyField } from "../../components/Copy";
import { SelectField, TextArea, TextField } from "../../components/Fields";
import { ErrorMessage, Loading, Notice } from "../../components/Feedback";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import type { SingleSignOnConfig } from "../../gen/wegweiser/v1/sso_pb";
import { splitFieldError } from "../../lib/errors";
import { useDeleteSSOConfig, useSSOConfig, useUpdateSSOConfig } from "./hooks";

type Field = "issuerUrl" | "clientId" | "clientSecret" | "domains" | "defaultRole";

/** The request's field names (as the server names them) and the form's. */
const FIELDS: Record<string, Field> = {
  "config.issuer_url": "issuerUrl",
  "config.client_id": "clientId",
  "config.client_secret": "clientSecret",
  "config.domains": "domains",
  "config.default_role": "defaultRole",
};

interface Draft {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  domains: string;
  defaultRole: Role;
  ssoOnly: boolean;
  enabled: boolean;
}

function draftOf(c: SingleSignOnConfig | undefined): Draft {
  return {
    issuerUrl: c?.issuerUrl ?? "",
    clientId: c?.clientId ?? "",
    clientSecret: "",
    domains: (c?.domains ?? []).join("\n"),
    defaultRole: c?.defaultRole ?? Role.UNSPECIFIED,
    ssoOnly: c?.ssoOnly ?? false,
    enabled: c?.enabled ?? true,
  };
}

/** redirectFallback is the redirect URL before the server has named it (no configuration yet). */
function redirectFallback(): string {
  return `${window.location.origin}/auth/oidc/callback`;
}

/** SSOSettingsPage is /settings/sso: the tenant's OpenID Connect provider (owners). */
export function SSOSettingsPage() {
  const query = useSSOConfig();
  const update = useUpdateSSOConfig();
  const remove = useDeleteSSOConfig();
  const [edited, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const notConfigured = query.error instanceof ConnectError && query.error.code === Code.NotFound;
  const config = query.data?.config;
  const draft = edited ?? draftOf(config);
  const { byField: errors, rest } = splitFieldError(update.error, FIELDS);

  const set = (patch: Partial<Draft>) => {
    setSaved(false);
    setDraft({ ...draft, ...patch });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    update.mutate(
      {
        config: {
          issuerUrl: draft.issuerUrl.trim(),
          clientId: draft.clientId.trim(),
          clientSecret: draft.clientSecret,
          domains: draft.domains
            .split(/[\s,]+/)
            .map((d) => d.trim())
            .filter(Boolean),
          defaultRole: draft.defaultRole,
          ssoOnly: draft.ssoOnly,
          enabled: draft.enabled,
        },
      },
      {
        onSuccess: () => {
          // The secret never comes back: forget what was typed.
          setDraft(null);
          setSaved(true);
        },
      },
    );
  };

  return (
    <Page
      title="Single sign-on"
      subtitle="Members sign in through your organisation's OpenID Connect provider: Microsoft Entra ID, Google Workspace, Keycloak or any provider with discovery."
      breadcrumb={
        <>
          <Link to="/settings">Settings</Link>
          <span aria-hidden="true"> / </span>
        </>
      }
    >
      <Section title="Identity provider">
        {query.isPending && <Loading />}
        {!notConfigured && <ErrorMessage error={query.error} />}
        {(config || notConfigured) && (
          <>
            <CopyField label="Redirect URL" value={config?.redirectUrl || redirectFallback()} />
            <small className="hint">
              Register this redirect URL at the provider, with the scopes openid, email and profile.
            </small>
            {config && (
              <p className="muted">
                Last changed <RelativeTime value={config.updateTime} />.
              </p>
            )}
            <form className="form" onSubmit={submit} aria-label="Single sign-on settings" noValidate>
              <label className="checkbox">
                <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
                Single sign-on is on
              </label>
              <TextField
                label="Issuer URL"
                type="url"
                required
                maxLength={500}
                placeholder="https://login.microsoftonline.com/<tenant id>/v2.0"
                value={draft.issuerUrl}
                error={errors.issuerUrl}
                onChange={(e) => set({ issuerUrl: e.target.value })}
                hint="Its discovery document is checked when you save."
              />
              <TextField
                label="Client ID"
                required
                maxLength={500}
                value={draft.clientId}
                error={errors.clientId}
                onChange={(e) => set({ clientId: e.target.value })}
              />
              <TextField
                label="Client secret"
                type="password"
                autoComplete="new-password"
                maxLength={2000}
                value={draft.clientSecret}
                error={errors.clientSecret}
                onChange={(e) => set({ clientSecret: e.target.value })}
                hint={
                  config?.clientSecretSet
                    ? "A secret is stored (it is never shown). Leave empty to keep it."
                    : "No secret is stored."
                }
              />
              <TextArea
                label="Email domains"
                value={draft.domains}
                error={errors.domains}
                placeholder="example.com"
                onChange={(e) => set({ domains: e.target.value })}
                hint="One per line. Addresses at these domains are sent to this provider from the sign-in page."
              />
              <SelectField
                label="Role of new members"
                value={String(draft.defaultRole)}
                error={errors.defaultRole}
                onChange={(e) => set({ defaultRole: Number(e.target.value) as Role })}
                hint="People of these domains who are not members yet join at their first sign-in with this role."
              >
                <option value={String(Role.UNSPECIFIED)}>Nobody joins by signing in (invite members)</option>
                <option value={String(Role.ADMIN)}>Admin</option>
                <option value={String(Role.TECHNICIAN)}>Technician</option>
                <option value={String(Role.VIEWER)}>Viewer</option>
                <option value={String(Role.CUSTOMER)}>Customer</option>
              </SelectField>
              <label className="checkbox">
                <input type="checkbox" checked={draft.ssoOnly} onChange={(e) => set({ ssoOnly: e.target.checked })} />
                Members sign in only through single sign-on
              </label>
              <small className="hint">Passwords and passkeys are refused for members; owners keep their password as a way back in.</small>
              <ErrorMessage error={rest} />
              {saved && <Notice>Single sign-on saved.</Notice>}
              <div className="row">
                <button type="submit" className="btn btn-primary" disabled={update.isPending}>
                  {update.isPending ? "Checking the provider…" : "Save"}
                </button>
              </div>
            </form>
            {config && (
              <>
                <ConfirmButton
                  label="Remove single sign-on"
                  confirmLabel="Remove"
                  question="Remove single sign-on? Members sign in with their passwords again."
                  pending={remove.isPending}
                  onConfirm={() => remove.mutate({}, { onSuccess: () => setDraft(null) })}
                />
                <ErrorMessage error={remove.error} />
              </>
            )}
          </>
        )}
      </Section>
    </Page>
  );
}
