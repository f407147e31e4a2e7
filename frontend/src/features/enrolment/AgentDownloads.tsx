import { CopyButton } from "../../components/Copy";
import { DataTable, type Columns } from "../../components/DataTable";
import { QueryState } from "../../components/Feedback";
import { Section } from "../../components/Page";
import type { AgentArtifact } from "../../gen/wegweiser/v1/enrolment_pb";
import { formatBytes } from "../../lib/format";
import { useAgentDistribution } from "./hooks";

const platformLabels: Record<string, string> = { linux: "Linux", macos: "macOS", windows: "Windows" };
const formatLabels: Record<string, string> = {
  binary: "Program",
  deb: "Debian/Ubuntu package (.deb)",
  rpm: "Red Hat/SUSE package (.rpm)",
  msi: "Windows Installer (.msi)",
  pkg: "macOS package (.pkg)",
};

/**
 * UrlWarnings shows what is wrong with the public URL the install commands
 * use (loopback, plain http), each with how to fix it.
 */
export function UrlWarnings() {
  const dist = useAgentDistribution();
  const warnings = dist.data?.warnings ?? [];
  if (warnings.length === 0) return null;
  return (
    <div className="alert alert-warn" role="alert" aria-label="Public URL warnings">
      <strong>Endpoints may not reach this server at {dist.data?.publicUrl}.</strong>
      <ul>
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </div>
  );
}

/** AgentDownloads lists the agent builds and packages this server offers, with their checksums. */
export function AgentDownloads() {
  const dist = useAgentDistribution();
  return (
    <Section title="Agent downloads">
      <QueryState query={dist} loading="Loading agent builds…">
        {(d) => (
          <>
            <p className="muted small">
              The install commands shown for a new key download the agent from this server, check it against the signed
              checksum list and enrol the device. For software deployment (apt, dnf, Intune, group policy) use the
              packages, then enrol each device with <code>wegweiser-agent enroll --server {d.publicUrl} --key KEY</code>.
              {d.version && <> Version offered: {d.version}.</>}
            </p>
            <DataTable
              label="Agent downloads"
              data={d.artifacts}
              columns={artifactColumns}
              getRowId={(a) => a.fileName}
              empty="This server offers no agent builds yet. Build them on the server with `make agents` (or set WEGWEISER_AGENT_DIR to where they are)."
            />
            <p className="muted small">
              Checksums: <a href={d.checksumsUrl}>SHA256SUMS</a> · signature (Ed25519):{" "}
              <a href={d.checksumsSignatureUrl}>SHA256SUMS.sig</a>
              {d.signingPublicKey && (
                <>
                  {" "}
                  · signing key <code className="mono">{d.signingPublicKey}</code>{" "}
                  <CopyButton value={d.signingPublicKey} label="Copy signing key" />
                </>
              )}
            </p>
          </>
        )}
      </QueryState>
    </Section>
  );
}

const artifactColumns: Columns<AgentArtifact> = [
  {
    id: "platform",
    header: "Platform",
    accessorFn: (a) => `${a.platform} ${a.arch}`,
    cell: ({ row: { original: a } }) => (
      <>
        {platformLabels[a.platform] ?? a.platform} <span className="muted">{a.arch}</span>
      </>
    ),
  },
  {
    id: "format",
    header: "Format",
    accessorFn: (a) => a.format,
    cell: ({ row: { original: a } }) => formatLabels[a.format] ?? a.format,
  },
  {
    id: "size",
    header: "Size",
    accessorFn: (a) => Number(a.size),
    meta: { className: "num" },
    cell: ({ row: { original: a } }) => formatBytes(a.size),
  },
  {
    id: "sha256",
    header: "SHA-256",
    enableSorting: false,
    cell: ({ row: { original: a } }) => (
      <span className="row">
        <code className="mono" title={a.sha256}>
          {a.sha256.slice(0, 12)}…
        </code>
        <CopyButton value={a.sha256} label="Copy" />
      </span>
    ),
  },
  {
    id: "download",
    header: "Download",
    enableSorting: false,
    cell: ({ row: { original: a } }) => (
      <a href={a.url} download={a.fileName} className="mono small">
        {a.fileName}
      </a>
    ),
  },
];
