import { useEffect, useRef, type ReactNode } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { Empty, QueryState } from "../../components/Feedback";
import { Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import { Tabs } from "../../components/Tabs";
import type { GetDeviceInventoryResponse } from "../../gen/wegweiser/v1/inventory_pb";
import type { Snapshot } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { useCan } from "../auth/hooks";
import { Permission } from "../auth/permissions";
import { DeviceHealth } from "../health/DeviceHealth";
import { EventLogsTab } from "./EventLogsTab";
import { HardwareTab } from "./HardwareTab";
import { useDeviceInventory } from "./hooks";
import { NetworkTab } from "./NetworkTab";
import { OverviewTab } from "./OverviewTab";
import { SecurityTab } from "./SecurityTab";
import { ServicesTab } from "./ServicesTab";
import { SoftwareTab } from "./SoftwareTab";
import { StorageTab } from "./StorageTab";

const tabs = [
  { id: "health", label: "Health" },
  { id: "overview", label: "Overview" },
  { id: "hardware", label: "Hardware" },
  { id: "storage", label: "Storage" },
  { id: "network", label: "Network" },
  { id: "software", label: "Software" },
  { id: "services", label: "Services" },
  { id: "events", label: "Event logs" },
  { id: "security", label: "Security" },
  { id: "details", label: "Details" },
];

/**
 * DeviceInventory shows a device's health in detail (the default tab), what
 * its agent last reported, one tab per area (?tab=), and its details.
 */
export function DeviceInventory({
  deviceId,
  organisationId,
  details,
}: {
  deviceId: string;
  organisationId: string;
  /** The Details tab: the device's facts and actions. */
  details: ReactNode;
}) {
  const inventory = useDeviceInventory(deviceId);
  const [params, setParams] = useSearchParams();
  const requested = params.get("tab") ?? "";
  const tab = tabs.some((t) => t.id === requested) ? requested : "health";
  const location = useLocation();
  const section = useRef<HTMLDivElement>(null);
  const scroll = (location.state as { scrollToInventory?: boolean } | null)?.scrollToInventory ?? false;

  // An evidence link from the top reasons opens its tab and brings it into view.
  useEffect(() => {
    if (scroll) section.current?.scrollIntoView?.({ block: "start" });
  }, [scroll, tab]);

  const select = (id: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (id === "health") next.delete("tab");
        else next.set("tab", id);
        return next;
      },
      { replace: true },
    );

  const snapshot = inventory.data?.snapshot;
  return (
    <div ref={section} className="scroll-target">
    <Section
      title="Health and inventory"
      actions={
        snapshot && (
          <span className="muted small">
            Last snapshot received <RelativeTime value={inventory.data?.receivedTime} never="at an unknown time" />
          </span>
        )
      }
    >
      <Tabs label="Health and inventory" tabs={tabs} selected={tab} onSelect={select}>
        {tab === "health" ? (
          <DeviceHealth deviceId={deviceId} />
        ) : tab === "details" ? (
          details
        ) : (
          <QueryState query={inventory} loading="Loading inventory…">
            {(data) =>
              data.snapshot ? (
                <TabContent tab={tab} deviceId={deviceId} snapshot={data.snapshot} inventory={data} />
              ) : (
                <NeverReported organisationId={organisationId} />
              )
            }
          </QueryState>
        )}
      </Tabs>
    </Section>
    </div>
  );
}

function TabContent({
  tab,
  deviceId,
  snapshot,
  inventory,
}: {
  tab: string;
  deviceId: string;
  snapshot: Snapshot;
  inventory: GetDeviceInventoryResponse;
}) {
  switch (tab) {
    case "hardware":
      return <HardwareTab snapshot={snapshot} />;
    case "storage":
      return <StorageTab snapshot={snapshot} />;
    case "network":
      return <NetworkTab snapshot={snapshot} />;
    case "software":
      return <SoftwareTab deviceId={deviceId} />;
    case "services":
      return <ServicesTab snapshot={snapshot} />;
    case "events":
      return <EventLogsTab deviceId={deviceId} />;
    case "security":
      return <SecurityTab snapshot={snapshot} />;
    default:
      return (
        <OverviewTab snapshot={snapshot} receivedTime={inventory.receivedTime} snapshotCount={inventory.snapshotCount} />
      );
  }
}

function NeverReported({ organisationId }: { organisationId: string }) {
  const canEnrol = useCan(Permission.EnrolmentManage);
  return (
    <Empty>
      This device has not sent an inventory yet.{" "}
      {canEnrol ? (
        <>
          Enrol an agent: see <Link to={organisationId ? `/enrolment?organisationId=${encodeURIComponent(organisationId)}` : "/enrolment"}>
            Enrolment
          </Link>.
        </>
      ) : (
        <>Enrol an agent: an owner or admin can create an enrolment key.</>
      )}
    </Empty>
  );
}
