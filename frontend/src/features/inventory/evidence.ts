/**
 * Evidence carries the snapshot path it was measured at ("storage.volumes[C:].free_bytes",
 * "event_logs[3]", "software"); inventoryTabOf names the device page's inventory tab that shows
 * that part of the snapshot (null for paths no tab shows, such as "eol table: …" or received_at).
 */
const prefixes: [prefix: string, tab: string, label: string][] = [
  ["storage", "storage", "Storage"],
  ["event_logs", "events", "Event logs"],
  ["crashes", "events", "Event logs"],
  ["software", "software", "Software"],
  ["services", "services", "Services"],
  ["network", "network", "Network"],
  ["hardware", "hardware", "Hardware"],
  ["security", "security", "Security"],
  ["patches", "security", "Security"],
  ["pending_reboot", "security", "Security"],
  ["hardening", "security", "Security"],
  ["os", "overview", "Overview"],
  ["performance", "overview", "Overview"],
  ["errors", "overview", "Overview"],
  ["collected_time", "overview", "Overview"],
];

/** InventoryTab is a tab of the device page's inventory: its id (?tab=) and name. */
export interface InventoryTab {
  tab: string;
  label: string;
}

/** inventoryTabOf maps an evidence source path to the inventory tab it came from. */
export function inventoryTabOf(source: string): InventoryTab | null {
  const head = /^[a-z_]+/.exec(source.trim())?.[0] ?? "";
  const rest = source.trim().slice(head.length);
  // Only a whole path segment counts: "storage", "storage.volumes[0]", "event_logs[3]"; not "storage_x" or prose.
  if (rest !== "" && !rest.startsWith(".") && !rest.startsWith("[")) return null;
  const hit = prefixes.find(([p]) => p === head);
  return hit ? { tab: hit[1], label: hit[2] } : null;
}
