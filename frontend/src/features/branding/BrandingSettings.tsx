import { useState, type CSSProperties, type ChangeEvent, type FormEvent } from "react";
import { TextField } from "../../components/Fields";
import { ErrorMessage, Notice } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { splitFieldError } from "../../lib/errors";
import { useCan, useViewer } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { LOGO_TYPES, accentPalette, checkLogo, logoSrc } from "./brand";
import { useUpdateBranding } from "./hooks";

const DEFAULT_ACCENT = "#0f766e";

type Logo = { kind: "keep" } | { kind: "none" } | { kind: "new"; bytes: Uint8Array; type: string; url: string };

/** BrandingSettings lets an owner set the name, logo and accent colour members and customers see. */
export function BrandingSettings() {
  const viewer = useViewer();
  const canEdit = useCan(Permission.TenantWrite);
  const update = useUpdateBranding();
  const stored = viewer.tenant?.branding;
  const [name, setName] = useState(stored?.displayName ?? "");
  const [color, setColor] = useState(stored?.accentColor ?? "");
  const [logo, setLogo] = useState<Logo>({ kind: "keep" });
  const [logoProblem, setLogoProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const errors = splitFieldError(update.error, {
    "branding.display_name": "name",
    "branding.logo": "logo",
    "branding.accent_color": "color",
  });

  const storedLogo = logoSrc(stored);
  const previewLogo = logo.kind === "new" ? logo.url : logo.kind === "keep" ? storedLogo : undefined;
  const previewName = name.trim() || viewer.tenant?.name || "";
  const palette = accentPalette(color || DEFAULT_ACCENT);

  const choose = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setSaved(false);
    if (!file) return;
    const problem = checkLogo(file);
    setLogoProblem(problem);
    if (problem) {
      e.target.value = "";
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const reader = new FileReader();
    reader.onload = () => setLogo({ kind: "new", bytes, type: file.type, url: String(reader.result) });
    reader.readAsDataURL(file);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (logoProblem) return;
    update.mutate(
      {
        branding: {
          displayName: name.trim(),
          accentColor: color,
          logo: logo.kind === "new" ? logo.bytes : new Uint8Array(),
        },
        keepLogo: logo.kind === "keep",
      },
      {
        onSuccess: () => {
          setSaved(true);
          setLogo({ kind: "keep" });
        },
      },
    );
  };

  return (
    <Section title="Branding">
      <p className="muted">
        Your name, logo and colour in the dashboard of every member and on the customer portal your customers see.
      </p>
      <form className="form" onSubmit={submit} aria-label="Branding">
        <TextField
          label="Display name"
          value={name}
          maxLength={200}
          readOnly={!canEdit}
          placeholder={viewer.tenant?.name}
          onChange={(e) => {
            setName(e.target.value);
            setSaved(false);
          }}
          hint="Leave empty to show the tenant's name."
          error={errors.byField.name}
        />
        <div className={`field ${logoProblem || errors.byField.logo ? "field-invalid" : ""}`}>
          <label htmlFor="branding-logo">Logo</label>
          {canEdit && (
            <input
              id="branding-logo"
              type="file"
              accept={LOGO_TYPES.join(",")}
              aria-describedby="branding-logo-hint"
              onChange={(e) => void choose(e)}
            />
          )}
          <small id="branding-logo-hint" className="hint">
            PNG, JPEG or WebP, at most 256 KiB. Shown at 32 pixels high in the sidebar.
          </small>
          {(logoProblem ?? errors.byField.logo) && (
            <small className="field-error" role="alert">
              {logoProblem ?? errors.byField.logo}
            </small>
          )}
          {canEdit && previewLogo && (
            <div className="row">
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setLogo({ kind: "none" });
                  setSaved(false);
                }}
              >
                Remove logo
              </button>
            </div>
          )}
        </div>
        <div className={`field ${errors.byField.color ? "field-invalid" : ""}`}>
          <label htmlFor="branding-color">Accent colour</label>
          <div className="row">
            <input
              id="branding-color"
              type="color"
              disabled={!canEdit}
              value={color || DEFAULT_ACCENT}
              onChange={(e) => {
                setColor(e.target.value);
                setSaved(false);
              }}
            />
            <code>{color || "default"}</code>
            {canEdit && color && (
              <button type="button" className="btn btn-ghost" onClick={() => setColor("")}>
                Use the default
              </button>
            )}
          </div>
          <small className="hint">Buttons and links use it, darkened where needed so text stays readable.</small>
          {errors.byField.color && <small className="field-error">{errors.byField.color}</small>}
        </div>
        <div className="branding-preview" aria-label="Preview" role="group" style={palette as CSSProperties}>
          <div className="brand">
            {previewLogo && <img className="brand-logo" src={previewLogo} alt="" />}
            <span>{previewName}</span>
          </div>
          <button type="button" className="btn btn-primary" tabIndex={-1}>
            A button
          </button>
          <a href="#branding-color" tabIndex={-1}>
            A link
          </a>
        </div>
        <ErrorMessage error={errors.rest} />
        {saved && <Notice>Branding saved.</Notice>}
        {canEdit ? (
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save branding"}
            </button>
          </div>
        ) : (
          <p className="muted">Only owners can change the branding.</p>
        )}
      </form>
    </Section>
  );
}
