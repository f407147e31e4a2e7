import type { ReactNode } from "react";

/** Fact is one labelled value; empty values read "unknown". */
export type Fact = [label: string, value: ReactNode];

/** FactList shows label/value pairs as a definition list. */
export function FactList({ facts, unknown = "unknown" }: { facts: Fact[]; unknown?: string }) {
  return (
    <dl className="facts">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value === "" || value === null || value === undefined ? <span className="muted">{unknown}</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}
