import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { type InstalledSoftware } from "../../gen/wegweiser/agent/v1/snapshot_pb";
import { InventoryService } from "../../gen/wegweiser/v1/inventory_pb";
import type { FakeBackend } from "../fake-backend";
import { page } from "./shared";

/** inventoryService answers InventoryService for the fake backend b. */
export function inventoryService(b: FakeBackend): Partial<ServiceImpl<typeof InventoryService>> {
  return {
    getDeviceInventory: (req, ctx) => {
      b.enter("GetDeviceInventory", req, ctx);
      b.need("device.read");
      b.device(req.deviceId);
      const inv = b.inventories.get(req.deviceId);
      if (!inv) return {};
      return {
        snapshot: inv.snapshot,
        receivedTime: timestampFromDate(inv.receivedTime),
        snapshotCount: inv.snapshotCount,
      };
    },
    listDeviceSoftware: (req, ctx) => {
      b.enter("ListDeviceSoftware", req, ctx);
      b.need("device.read");
      b.device(req.deviceId);
      const q = req.query.toLowerCase();
      const all = (b.inventories.get(req.deviceId)?.snapshot.software ?? [])
        .filter((s) => s.name.toLowerCase().includes(q) || s.publisher.toLowerCase().includes(q))
        .sort((a, b) => a.name.localeCompare(b.name));
      return page(all, req.pageSize || 200, req.pageToken, (software, nextPageToken) => ({ software, nextPageToken }));
    },
    listDeviceEventLogs: (req, ctx) => {
      b.enter("ListDeviceEventLogs", req, ctx);
      b.need("device.read");
      b.device(req.deviceId);
      const q = req.query.toLowerCase();
      const all = (b.inventories.get(req.deviceId)?.snapshot.eventLogs ?? [])
        .filter((e) => !req.level || e.level === req.level)
        .filter((e) => e.source.toLowerCase().includes(q) || e.sampleMessage.toLowerCase().includes(q))
        .sort((a, b) => Number((b.lastTime?.seconds ?? 0n) - (a.lastTime?.seconds ?? 0n)));
      return page(all, req.pageSize || 200, req.pageToken, (eventLogs, nextPageToken) => ({ eventLogs, nextPageToken }));
    },
    listSoftware: (req, ctx) => {
      b.enter("ListSoftware", req, ctx);
      b.need("device.read");
      const q = req.query.toLowerCase();
      const byVersion = new Map<string, { s: InstalledSoftware; devices: number }>();
      for (const d of b.devices) {
        if (req.organisationId && d.organisationId !== req.organisationId) continue;
        for (const s of b.inventories.get(d.id)?.snapshot.software ?? []) {
          if (!s.name.toLowerCase().includes(q)) continue;
          const k = `${s.name}\u0000${s.version}`;
          const entry = byVersion.get(k) ?? { s, devices: 0 };
          entry.devices++;
          byVersion.set(k, entry);
        }
      }
      const all = [...byVersion.values()]
        .map(({ s, devices }) => ({ name: s.name, version: s.version, publisher: s.publisher, deviceCount: devices }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
      return page(all, req.pageSize || 200, req.pageToken, (software, nextPageToken) => ({ software, nextPageToken }));
    },
  };
}
