import { useState, type DragEvent } from "react";
import { Page, Section } from "../../components/Page";
import { ErrorMessage, Notice } from "../../components/Feedback";
import {
  ImportAction,
  TransferKind,
  type CommitImportResponse,
  type PreviewImportResponse,
} from "../../gen/wegweiser/v1/transfer_pb";
import { downloadFile } from "../../lib/download";
import { describeError } from "../../lib/errors";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { useOrganisationOptions } from "../organisations/hooks";
import {
  MAX_IMPORT_BYTES,
  TRANSFER_KINDS,
  useCommitImport,
  useExport,
  useImportTemplate,
  usePreviewImport,
} from "./hooks";

/** TransferPage imports organisations, groups and device pre-registrations from CSV and exports them. */
export function TransferPage() {
  const canImport = useCan(Permission.TransferImport);
  const canExport = useCan(Permission.TransferExport);
  return (
    <Page
      title="Import and export"
      subtitle="Bring a customer's organisations, groups and devices in from a spreadsheet, or take them out as CSV."
    >
      {canImport && <ImportSection />}
      {canExport && <ExportSection />}
      {!canImport && !canExport && (
        <div className="alert alert-error" role="alert">
          You are not allowed to import or export. Ask an owner or admin.
        </div>
      )}
    </Page>
  );
}

function labelOf(kind: TransferKind) {
  return TRANSFER_KINDS.find((k) => k.kind === kind)?.label ?? "Rows";
}

function readFile(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error("the file cannot be read"));
    reader.readAsArrayBuffer(file);
  });
}

function megabytes(n: number) {
  return (n / (1024 * 1024)).toFixed(1);
}

function ImportSection() {
  const [kind, setKind] = useState<TransferKind>(TransferKind.ORGANISATIONS);
  const [file, setFile] = useState<{ name: string; content: Uint8Array } | null>(null);
  const [localError, setLocalError] = useState("");
  const [done, setDone] = useState<CommitImportResponse | null>(null);
  const [dragging, setDragging] = useState(false);
  const template = useImportTemplate();
  const preview = usePreviewImport();
  const commit = useCommitImport();

  const reset = () => {
    setFile(null);
    setLocalError("");
    preview.reset();
    commit.reset();
  };

  const choose = async (f: File | undefined) => {
    reset();
    setDone(null);
    if (!f) return;
    if (f.size > MAX_IMPORT_BYTES) {
      setLocalError(
        `${f.name} has ${megabytes(f.size)} MB; at most 10 MB can be imported at once: split it into smaller files.`,
      );
      return;
    }
    try {
      const content = await readFile(f);
      setFile({ name: f.name, content });
      preview.mutate({ kind, content });
    } catch (err) {
      setLocalError(describeError(err));
    }
  };

  const changeKind = (k: TransferKind) => {
    setKind(k);
    setDone(null);
    reset();
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void choose(e.dataTransfer.files[0]);
  };

  const result = preview.data;
  const blocked =
    !result || !file || result.errorRows > 0 || result.fileErrors.length > 0 || result.totalRows === 0 || commit.isPending;

  return (
    <Section
      title="Import"
      actions={
        <button
          type="button"
          className="btn btn-small"
          disabled={template.isPending}
          onClick={() =>
            template.mutate({ kind }, { onSuccess: (t) => downloadFile(t.fileName, t.content) })
          }
        >
          Download template
        </button>
      }
    >
      <div className="stack">
        <div className="inline-form">
          <div className="field">
            <label htmlFor="transfer-kind">What to import</label>
            <select id="transfer-kind" value={kind} onChange={(e) => changeKind(Number(e.target.value) as TransferKind)}>
              {TRANSFER_KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p className="hint">
          Columns: {TRANSFER_KINDS.find((k) => k.kind === kind)?.columns}. Save the file as “CSV UTF-8 (comma
          delimited)”, at most 10 MB and 10,000 rows. Existing records are matched by name (devices by serial number or
          host name) and updated instead of duplicated. Device rows pre-register devices: an agent that enrols with the
          same serial number or host name joins that organisation and group with those tags.
        </p>
        <div
          className={dragging ? "drop-zone drop-zone-active" : "drop-zone"}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <label htmlFor="transfer-file">CSV file</label>
          <input
            id="transfer-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              void choose(e.target.files?.[0]);
              e.target.value = "";
            }}
          />
          <span className="hint">or drop it here</span>
        </div>
        {localError && (
          <div className="alert alert-error" role="alert">
            {localError}
          </div>
        )}
        <ErrorMessage error={preview.error} title="The file cannot be imported." />
        {done && (
          <Notice>
            Imported {labelOf(kind).toLowerCase()}: {done.created} created, {done.updated} updated, {done.unchanged}{" "}
            unchanged.
          </Notice>
        )}
        {result && file && (
          <PreviewTable
            kind={kind}
            name={file.name}
            preview={result}
            blocked={blocked}
            committing={commit.isPending}
            onCommit={() =>
              commit.mutate(
                { kind, content: file.content, contentSha256: result.contentSha256 },
                {
                  onSuccess: (res) => {
                    reset();
                    setDone(res);
                  },
                },
              )
            }
          />
        )}
        <ErrorMessage error={commit.error} title="Nothing was imported." />
      </div>
    </Section>
  );
}

const COLUMN_ORDER = [
  "organisation",
  "group",
  "name",
  "hostname",
  "serial_number",
  "description",
  "tags",
  "status",
  "score",
  "band",
  "last_seen",
];

const actionLabel: Record<ImportAction, string> = {
  [ImportAction.UNSPECIFIED]: "—",
  [ImportAction.CREATE]: "Create",
  [ImportAction.UPDATE]: "Update",
  [ImportAction.UNCHANGED]: "Unchanged",
};

function PreviewTable({
  kind,
  name,
  preview,
  blocked,
  committing,
  onCommit,
}: {
  kind: TransferKind;
  name: string;
  preview: PreviewImportResponse;
  blocked: boolean;
  committing: boolean;
  onCommit: () => void;
}) {
  const columns: string[] = [];
  for (const r of preview.rows) {
    for (const c of Object.keys(r.values)) if (!columns.includes(c)) columns.push(c);
  }
  // The file's columns in the order of the templates (the cells come as a map).
  const rank = (c: string) => (COLUMN_ORDER.indexOf(c) + COLUMN_ORDER.length + 1) % (COLUMN_ORDER.length + 1);
  columns.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const hasErrors = preview.errorRows > 0 || preview.fileErrors.length > 0;
  return (
    <section className="stack" aria-label="Preview">
      <p aria-label="Preview summary">
        <strong>{name}</strong>: {preview.totalRows} rows — {preview.createRows} to create, {preview.updateRows} to
        update, {preview.unchangedRows} unchanged,{" "}
        <span className={preview.errorRows > 0 ? "text-danger" : undefined}>{preview.errorRows} with errors</span>.
      </p>
      {preview.fileErrors.length > 0 && (
        <div className="alert alert-error" role="alert">
          <strong>Problems with the file:</strong>
          <ul className="plain-list">
            {preview.fileErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      )}
      {preview.errorRows > 0 && (
        <div className="alert alert-warn" role="status">
          Fix the {preview.errorRows === 1 ? "row" : `${preview.errorRows} rows`} marked below in your file and upload it
          again. Nothing is imported while any row has an error.
        </div>
      )}
      {preview.rows.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="sr-only">Rows of {name}</caption>
            <thead>
              <tr>
                <th className="num">Line</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
                <th>Action</th>
                <th>Problems</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r) => (
                <tr key={r.line} className={r.errors.length > 0 ? "row-error" : undefined}>
                  <td className="num">{r.line}</td>
                  {columns.map((c) => (
                    <td key={c}>{r.values[c]}</td>
                  ))}
                  <td>{actionLabel[r.action]}</td>
                  <td className="text-danger">{r.errors.join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {preview.rows.length < preview.totalRows && (
        <p className="hint">
          Showing {preview.rows.length} of {preview.totalRows} rows, those with errors first.
        </p>
      )}
      <div className="row">
        <button type="button" className="btn btn-primary" disabled={blocked} onClick={onCommit}>
          {committing ? "Importing…" : `Import ${preview.totalRows} ${labelOf(kind).toLowerCase()}`}
        </button>
        {hasErrors && <span className="hint">Fix the errors first.</span>}
      </div>
    </section>
  );
}

function ExportSection() {
  const orgs = useOrganisationOptions();
  const [organisationId, setOrganisationId] = useState("");
  const [last, setLast] = useState("");
  const exp = useExport();
  return (
    <Section title="Export">
      <div className="stack">
        <p className="hint">
          A CSV of what you can see, in the import format: an exported file imports again unchanged. Device files list
          enrolled devices with their score and last check-in, then pre-registered devices still waiting for their
          agent.
        </p>
        <div className="inline-form">
          <div className="field">
            <label htmlFor="export-organisation">Organisation</label>
            <select id="export-organisation" value={organisationId} onChange={(e) => setOrganisationId(e.target.value)}>
              <option value="">All organisations</option>
              {orgs.data?.organisations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="row">
          {TRANSFER_KINDS.map((k) => (
            <button
              key={k.kind}
              type="button"
              className="btn"
              disabled={exp.isPending}
              onClick={() =>
                exp.mutate(
                  { kind: k.kind, organisationId },
                  {
                    onSuccess: (f) => {
                      downloadFile(f.fileName, f.content);
                      setLast(`Downloaded ${f.fileName} (${f.rows} ${f.rows === 1 ? "row" : "rows"}).`);
                    },
                  },
                )
              }
            >
              Export {k.label.toLowerCase()}
            </button>
          ))}
        </div>
        {last && <Notice>{last}</Notice>}
        <ErrorMessage error={exp.error} />
      </div>
    </Section>
  );
}
