import { Empty, ErrorMessage, Loading } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { FindingList } from "./FindingList";
import { useFindings } from "./hooks";
import type { Entity } from "./labels";

/** TOP_FINDINGS is how many findings the organisation and group pages show. */
export const TOP_FINDINGS = 20;

/** TopFindings lists the worst findings across an entity's devices, with their device names. */
export function TopFindings({ entity }: { entity: Entity }) {
  const findings = useFindings(entity, { pageSize: TOP_FINDINGS });
  const list = findings.data?.findings ?? [];
  return (
    <Section
      title="Top findings"
      actions={<span className="muted small">Worst first, across all devices; open one for its evidence.</span>}
    >
      {findings.isPending && <Loading label="Loading findings…" />}
      <ErrorMessage error={findings.error} />
      {findings.isSuccess && list.length === 0 && <Empty>No failing or warning checks on these devices.</Empty>}
      {list.length > 0 && <FindingList findings={list} showDevice label="Top findings" />}
    </Section>
  );
}
