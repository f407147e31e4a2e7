import { describe, expect, it } from "vitest";
import { inventoryTabOf } from "./evidence";

describe("inventoryTabOf", () => {
  it("maps snapshot paths to the inventory tab that shows them", () => {
    expect(inventoryTabOf("storage.volumes[C:].free_bytes")?.tab).toBe("storage");
    expect(inventoryTabOf("storage.volumes[0]")?.tab).toBe("storage");
    expect(inventoryTabOf("event_logs[3]")?.tab).toBe("events");
    expect(inventoryTabOf("crashes[0].application")?.tab).toBe("events");
    expect(inventoryTabOf("software")?.tab).toBe("software");
    expect(inventoryTabOf("services[wuauserv]")?.tab).toBe("services");
    expect(inventoryTabOf("security.firewall")?.tab).toBe("security");
    expect(inventoryTabOf("patches.missing")?.tab).toBe("security");
    expect(inventoryTabOf("os.version")?.tab).toBe("overview");
    expect(inventoryTabOf("hardware.battery")?.label).toBe("Hardware");
  });

  it("links nothing that no tab shows", () => {
    expect(inventoryTabOf("eol table: Windows 10 22H2 (Home/Pro)")).toBeNull();
    expect(inventoryTabOf("received_at")).toBeNull();
    expect(inventoryTabOf("now − received_at")).toBeNull();
    expect(inventoryTabOf("storage_extra")).toBeNull();
    expect(inventoryTabOf("")).toBeNull();
  });
});
