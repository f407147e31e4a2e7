import { useId } from "react";
import { CopyButton, CopyField } from "../../components/Copy";
import { Section } from "../../components/Page";
import type { CreateEnrolmentKeyResponse, InstallCommand } from "../../gen/wegweiser/v1/enrolment_pb";
import { INSTALL_PLATFORMS } from "./hooks";

/** CreatedKey shows a new key's secret (this one time) and the install commands. */
export function CreatedKey({ created, onDone }: { created: CreateEnrolmentKeyResponse; onDone: () => void }) {
  const known = new Set<string>(INSTALL_PLATFORMS.map((p) => p.id));
  const commands = [
    ...INSTALL_PLATFORMS.map((p) => ({
      label: p.label,
      command: created.installCommands.find((c) => c.platform === p.id),
    })),
    ...created.installCommands
      .filter((c) => !known.has(c.platform))
      .map((c) => ({ label: c.platform, command: c as InstallCommand | undefined })),
  ];

  return (
    <Section title="Enrolment key created">
      <div className="alert alert-warn" role="status">
        <strong>Copy the secret now.</strong> It is shown only this once; Wegweiser cannot show it again. If you lose
        it, revoke the key and create a new one.
      </div>
      <CopyField label="Secret" value={created.secret} />
      <div className="install-commands">
        <h3>Install the agent</h3>
        <p className="muted small">
          Run one of these as administrator (root) on each device. The commands contain the secret: treat them like a
          password.
        </p>
        {commands.map(({ label, command }) => (
          <InstallBlock key={label} label={label} command={command?.command ?? ""} />
        ))}
      </div>
      <div className="row">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </Section>
  );
}

function InstallBlock({ label, command }: { label: string; command: string }) {
  const id = useId();
  return (
    <div className="install-command" role="group" aria-labelledby={id}>
      <div className="install-command-header">
        <h4 id={id}>{label}</h4>
        {command && <CopyButton value={command} label={`Copy ${label} command`} />}
      </div>
      {command ? (
        <pre className="code">
          <code>{command}</code>
        </pre>
      ) : (
        <p className="muted small">The server sent no install command for {label}.</p>
      )}
    </div>
  );
}
