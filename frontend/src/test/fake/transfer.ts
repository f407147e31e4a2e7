import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import {
  ImportAction,
  ImportRowSchema,
  TransferKind,
  TransferService,
  type ImportRow,
} from "../../gen/wegweiser/v1/transfer_pb";
import type { FakeBackend } from "../fake-backend";

/** FakePreregistration is a device row imported before its agent enrols. */
export interface FakePreregistration {
  organisationId: string;
  groupId: string;
  hostname: string;
  serialNumber: string;
  tags: string[];
}

const MAX_BYTES = 10 * 1024 * 1024;
const MAX_ROWS = 10_000;

const COLUMNS: Record<number, { known: string[]; ignored: string[]; required: string[][] }> = {
  [TransferKind.ORGANISATIONS]: { known: ["name", "description"], ignored: [], required: [["name"]] },
  [TransferKind.GROUPS]: { known: ["organisation", "name", "description"], ignored: [], required: [["organisation"], ["name"]] },
  [TransferKind.DEVICES]: {
    known: ["organisation", "group", "hostname", "serial_number", "tags"],
    ignored: ["status", "score", "band", "last_seen"],
    required: [["organisation"], ["hostname", "serial_number"]],
  },
};

const NAMES: Record<number, string> = {
  [TransferKind.ORGANISATIONS]: "organisations",
  [TransferKind.GROUPS]: "groups",
  [TransferKind.DEVICES]: "devices",
};

function columnsOf(kind: TransferKind) {
  const c = COLUMNS[kind];
  if (!c) throw new ConnectError("kind: must be organisations, groups or devices", Code.InvalidArgument);
  return c;
}

/** parseCSV splits RFC 4180 text into records with their first line; it throws on bad quotes. */
function parseCSV(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const cells: string[] = [];
    let cell = "";
    for (;;) {
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new Error(`line ${line}: a quoted cell is not closed; check the quotes from line ${start} on`);
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (text[i] === "\n") line++;
          cell += text[i++];
        }
      }
      while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
        if (text[i] === '"') throw new Error(`line ${line}: a quote (") inside a cell that does not start with one`);
        cell += text[i++];
      }
      cells.push(cell);
      cell = "";
      if (text[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    line++;
    if (!(cells.length === 1 && cells[0] === "")) out.push({ line: start, cells });
  }
  return out;
}

function unneutralise(s: string) {
  return s.length > 1 && s[0] === "'" && "=+-@\t\r".includes(s[1]!) ? s.slice(1) : s;
}

function neutralise(s: string) {
  return s && "=+-@\t\r".includes(s[0]!) ? `'${s}` : s;
}

function toCSV(header: string[], rows: string[][]): Uint8Array {
  const cell = (s: string) => {
    const v = neutralise(s);
    return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  };
  const text = "\ufeff" + [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  return new TextEncoder().encode(text);
}

async function sha256(content: Uint8Array) {
  const digest = await crypto.subtle.digest("SHA-256", content as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

interface Parsed {
  header: string[];
  records: { line: number; values: Record<string, string>; error: string }[];
  fileErrors: string[];
}

function parse(kind: TransferKind, content: Uint8Array): Parsed {
  const cols = columnsOf(kind);
  if (content.length > MAX_BYTES) {
    throw new ConnectError(
      `the file has ${(content.length / 1048576).toFixed(1)} MB; at most 10 MB can be imported at once: split it into smaller files`,
      Code.ResourceExhausted,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(content);
  } catch {
    throw new ConnectError(
      'content: the file is not UTF-8 text; save it as "CSV UTF-8 (comma delimited)" and upload it again',
      Code.InvalidArgument,
    );
  }
  if (!text.trim()) throw new ConnectError("content: the file is empty; it needs a header row (download the template)", Code.InvalidArgument);
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  if (!first.includes(",") && (first.includes(";") || first.includes("\t"))) {
    const d = first.includes(";") ? "semicolons" : "tabs";
    throw new ConnectError(
      `content: the columns are separated by ${d}; use commas: save it as "CSV UTF-8 (comma delimited)"`,
      Code.InvalidArgument,
    );
  }
  const p: Parsed = { header: [], records: [], fileErrors: [] };
  let recs: { line: number; cells: string[] }[];
  try {
    recs = parseCSV(text);
  } catch (e) {
    p.fileErrors.push((e as Error).message);
    recs = [];
  }
  const [head, ...rows] = recs;
  for (const h of head?.cells ?? []) {
    const c = h.trim().toLowerCase();
    if (!cols.known.includes(c) && !cols.ignored.includes(c)) {
      p.fileErrors.push(`unknown column "${c}"; the columns of ${NAMES[kind]} files are: ${cols.known.join(", ")}`);
    }
    p.header.push(c);
  }
  for (const alt of cols.required) {
    if (!alt.some((c) => p.header.includes(c))) p.fileErrors.push(`missing column ${alt.map((c) => `"${c}"`).join(" or ")}`);
  }
  if (rows.length > MAX_ROWS) {
    throw new ConnectError(`the file has more than ${MAX_ROWS} rows; split it into files of at most ${MAX_ROWS} rows`, Code.ResourceExhausted);
  }
  for (const r of rows) {
    const values: Record<string, string> = {};
    r.cells.forEach((c, i) => {
      if (i < p.header.length) values[p.header[i]!] = unneutralise(c);
    });
    const error =
      r.cells.length === p.header.length ? "" : `has ${r.cells.length} cells but the header has ${p.header.length} columns`;
    p.records.push({ line: r.line, values, error });
  }
  return p;
}

interface Op {
  apply: () => void;
}

function plan(b: FakeBackend, kind: TransferKind, p: Parsed): { rows: ImportRow[]; ops: Op[] } {
  const rows: ImportRow[] = [];
  const ops: Op[] = [];
  const seen = new Map<string, number>();
  const fold = (s: string) => s.trim().toLowerCase();
  const findOrg = (ref: string) => b.organisations.find((o) => o.id === ref.trim() || fold(o.name) === fold(ref));
  for (const rec of p.records) {
    const row = create(ImportRowSchema, { line: rec.line, values: rec.values });
    const errs: string[] = rec.error ? [rec.error] : [];
    let key = "";
    let action = ImportAction.CREATE;
    let op: Op | undefined;
    const v = rec.values;
    if (!rec.error) {
      if (kind === TransferKind.ORGANISATIONS) {
        const name = (v.name ?? "").trim();
        if (!name) errs.push("name: must not be empty");
        key = fold(name);
        const existing = b.organisations.find((o) => fold(o.name) === key);
        const description = (v.description ?? "").trim();
        if (existing) {
          action =
            existing.name === name && (!("description" in v) || existing.description === description)
              ? ImportAction.UNCHANGED
              : ImportAction.UPDATE;
          op = { apply: () => Object.assign(existing, { name, description }) };
        } else if (b.me.organisationIds.length > 0) {
          errs.push("your access is limited to some organisations, so you cannot create organisations");
        } else {
          op = { apply: () => void b.addOrganisation(name, { description }) };
        }
      } else {
        const org = findOrg(v.organisation ?? "");
        if (!org) errs.push(`organisation "${(v.organisation ?? "").trim()}" not found (import organisations first)`);
        if (kind === TransferKind.GROUPS) {
          const name = (v.name ?? "").trim();
          if (!name) errs.push("name: must not be empty");
          if (org) {
            key = `${org.id}/${fold(name)}`;
            const existing = b.groups.find((g) => g.organisationId === org.id && fold(g.name) === fold(name));
            const description = (v.description ?? "").trim();
            if (existing) {
              action = existing.name === name ? ImportAction.UNCHANGED : ImportAction.UPDATE;
              op = { apply: () => Object.assign(existing, { name, description }) };
            } else {
              op = { apply: () => void b.addGroup(org.id, name) };
            }
          }
        } else {
          const hostname = (v.hostname ?? "").trim();
          const serialNumber = (v.serial_number ?? "").trim();
          const tags = (v.tags ?? "").split(";").map((t) => t.trim()).filter(Boolean);
          if (!hostname && !serialNumber) errs.push("needs a hostname or a serial_number");
          let groupId = "";
          if (org && v.group?.trim()) {
            const g = b.groups.find((x) => x.organisationId === org.id && (x.id === v.group!.trim() || fold(x.name) === fold(v.group!)));
            if (!g) errs.push(`group "${v.group.trim()}" not found in organisation "${org.name}" (import groups first)`);
            groupId = g?.id ?? "";
          }
          key = serialNumber ? `serial:${fold(serialNumber)}` : `host:${fold(hostname)}`;
          const device = b.devices.find((d) =>
            serialNumber ? fold(d.serialNumber) === fold(serialNumber) : fold(d.hostname) === fold(hostname),
          );
          const pre = b.preregistrations.find((x) =>
            serialNumber ? fold(x.serialNumber) === fold(serialNumber) : fold(x.hostname) === fold(hostname),
          );
          if (org && device) {
            if (device.organisationId === org.id) action = ImportAction.UNCHANGED;
            else errs.push(`device "${device.hostname}" is already enrolled; move or tag it on the Devices page`);
          } else if (org && pre) {
            const same =
              pre.organisationId === org.id && pre.groupId === groupId && pre.tags.join(";") === tags.join(";") && pre.hostname === hostname;
            action = same ? ImportAction.UNCHANGED : ImportAction.UPDATE;
            op = { apply: () => Object.assign(pre, { organisationId: org.id, groupId, hostname, serialNumber, tags }) };
          } else if (org) {
            op = { apply: () => void b.preregistrations.push({ organisationId: org.id, groupId, hostname, serialNumber, tags }) };
          }
        }
      }
    }
    if (errs.length === 0 && key) {
      const first = seen.get(key);
      if (first !== undefined) errs.push(`duplicate of line ${first}`);
      else seen.set(key, rec.line);
    }
    if (errs.length > 0) {
      row.errors = errs;
      row.action = ImportAction.UNSPECIFIED;
    } else {
      row.action = action;
      if (op && action !== ImportAction.UNCHANGED) ops.push(op);
    }
    rows.push(row);
  }
  return { rows, ops };
}

/** transferService answers TransferService for the fake backend b, with the server's checks and messages. */
export function transferService(b: FakeBackend): Partial<ServiceImpl<typeof TransferService>> {
  return {
    getImportTemplate: (req, ctx) => {
      b.enter("GetImportTemplate", req, ctx);
      b.need("transfer.import");
      const cols = columnsOf(req.kind);
      const example: Record<number, string[]> = {
        [TransferKind.ORGANISATIONS]: ["Contoso Ltd", "Tax advisers, 25 seats"],
        [TransferKind.GROUPS]: ["Contoso Ltd", "Office laptops", "Laptops at the main office"],
        [TransferKind.DEVICES]: ["Contoso Ltd", "Office laptops", "CONTOSO-LT-001", "5CG1234XYZ", "laptop;finance"],
      };
      return { fileName: `wegweiser-${NAMES[req.kind]}-template.csv`, content: toCSV(cols.known, [example[req.kind]!]) };
    },
    previewImport: async (req, ctx) => {
      b.enter("PreviewImport", req, ctx);
      b.need("transfer.import");
      const p = parse(req.kind, req.content);
      const rows =
        p.fileErrors.length > 0
          ? p.records.map((r) => create(ImportRowSchema, { line: r.line, values: r.values }))
          : plan(b, req.kind, p).rows;
      const count = (a: ImportAction) => rows.filter((r) => r.errors.length === 0 && r.action === a).length;
      const errorRows = rows.filter((r) => r.errors.length > 0);
      return {
        contentSha256: await sha256(req.content),
        totalRows: rows.length,
        errorRows: errorRows.length,
        createRows: count(ImportAction.CREATE),
        updateRows: count(ImportAction.UPDATE),
        unchangedRows: count(ImportAction.UNCHANGED),
        rows: [...errorRows, ...rows.filter((r) => r.errors.length === 0)].slice(0, 1000),
        fileErrors: p.fileErrors,
      };
    },
    commitImport: async (req, ctx) => {
      b.enter("CommitImport", req, ctx);
      b.need("transfer.import");
      if (req.contentSha256.length !== 64) {
        throw new ConnectError("content_sha256: must be the content_sha256 of the preview (64 hex digits); preview the file first", Code.InvalidArgument);
      }
      if (req.contentSha256 !== (await sha256(req.content))) {
        throw new ConnectError("the file differs from the one previewed; preview it again", Code.FailedPrecondition);
      }
      const p = parse(req.kind, req.content);
      if (p.fileErrors.length > 0) throw new ConnectError(`content: ${p.fileErrors[0]}; nothing was imported`, Code.InvalidArgument);
      const { rows, ops } = plan(b, req.kind, p);
      const bad = rows.filter((r) => r.errors.length > 0);
      if (bad.length > 0) {
        throw new ConnectError(
          `content: ${bad.length} rows have errors (line ${bad[0]!.line}: ${bad[0]!.errors[0]}); nothing was imported: preview the file again to see them all`,
          Code.InvalidArgument,
        );
      }
      for (const op of ops) op.apply();
      const n = (a: ImportAction) => rows.filter((r) => r.action === a).length;
      return { created: n(ImportAction.CREATE), updated: n(ImportAction.UPDATE), unchanged: n(ImportAction.UNCHANGED) };
    },
    export: (req, ctx) => {
      b.enter("Export", req, ctx);
      b.need("transfer.export");
      const cols = columnsOf(req.kind);
      if (req.organisationId) b.org(req.organisationId);
      const orgs = b.organisations.filter((o) => !req.organisationId || o.id === req.organisationId);
      const orgName = (id: string) => b.organisations.find((o) => o.id === id)?.name ?? "";
      const groupName = (id: string | undefined) => b.groups.find((g) => g.id === id)?.name ?? "";
      const inOrgs = (id: string) => orgs.some((o) => o.id === id);
      let rows: string[][];
      let header = cols.known;
      if (req.kind === TransferKind.ORGANISATIONS) rows = orgs.map((o) => [o.name, o.description]);
      else if (req.kind === TransferKind.GROUPS) {
        rows = b.groups.filter((g) => inOrgs(g.organisationId)).map((g) => [orgName(g.organisationId), g.name, g.description]);
      } else {
        header = [...cols.known, ...cols.ignored];
        rows = [
          ...b.devices
            .filter((d) => inOrgs(d.organisationId))
            .map((d) => [orgName(d.organisationId), groupName(d.groupId), d.hostname, d.serialNumber, d.tags.join(";"), "enrolled", "", "", ""]),
          ...b.preregistrations
            .filter((p) => inOrgs(p.organisationId))
            .map((p) => [orgName(p.organisationId), groupName(p.groupId), p.hostname, p.serialNumber, p.tags.join(";"), "pending", "", "", ""]),
        ];
      }
      return { fileName: `wegweiser-${NAMES[req.kind]}-2026-12-01.csv`, content: toCSV(header, rows), rows: rows.length };
    },
  };
}
