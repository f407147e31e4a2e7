import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { type Device, DeviceService, DeviceOrder, Platform } from "../../gen/wegweiser/v1/device_pb";
import { Band } from "../../gen/wegweiser/v1/health_pb";
import type { FakeBackend } from "../fake-backend";
import { page } from "./shared";
import { byScore, failsCheck, summaryOf } from "./triage";

/** deviceService answers DeviceService for the fake backend b. */
export function deviceService(b: FakeBackend): Partial<ServiceImpl<typeof DeviceService>> {
  return {
    listDevices: (req, ctx) => {
      b.enter("ListDevices", req, ctx);
      const scope = b.me.organisationIds;
      const sw = req.software?.name ? req.software : undefined;
      if (req.bands.length > 5 || req.bands.some((x) => !(x in Band))) {
        throw new ConnectError("bands: unknown band", Code.InvalidArgument);
      }
      if (req.failingCheckId && !b.checks.some((c) => c.id === req.failingCheckId)) {
        throw new ConnectError("failing_check_id: is not a check of the catalogue", Code.InvalidArgument);
      }
      const matching = b.devices
        .filter((d) => scope.length === 0 || scope.includes(d.organisationId))
        .map((d) => withHealth(b, d))
        .filter((d) => !req.organisationId || d.organisationId === req.organisationId)
        .filter((d) => !req.groupId || d.groupId === req.groupId)
        .filter((d) => req.platform === Platform.UNSPECIFIED || d.platform === req.platform)
        .filter((d) => !req.tag || d.tags.includes(req.tag))
        .filter((d) => d.hostname.toLowerCase().includes(req.query.toLowerCase()))
        .filter((d) => req.bands.length === 0 || req.bands.includes(d.health?.band ?? Band.UNSPECIFIED))
        .filter((d) => !req.staleOnly || d.health?.stale)
        .filter((d) => !req.needsAttention || d.health?.needsAttention)
        .filter((d) => !req.failingCheckId || failsCheck(b.deviceHealth.get(d.id), req.failingCheckId))
        .filter(
          (d) =>
            !sw ||
            (b.inventories.get(d.id)?.snapshot.software ?? []).some((s) => s.name === sw.name && s.version === sw.version),
        );
      if (req.orderBy === DeviceOrder.SCORE) {
        matching.sort(byScore(req.descending));
      } else {
        matching.sort((a, b) =>
          req.orderBy === DeviceOrder.LAST_SEEN
            ? Number(a.lastSeenTime?.seconds ?? 0n) - Number(b.lastSeenTime?.seconds ?? 0n)
            : a.hostname.localeCompare(b.hostname),
        );
        if (req.descending) matching.reverse();
      }
      return page(matching, req.pageSize || 50, req.pageToken, (devices, nextPageToken) => ({
        devices,
        nextPageToken,
      }));
    },
    getDevice: (req, ctx) => {
      b.enter("GetDevice", req, ctx);
      const d = b.devices.find((x) => x.id === req.id);
      if (!d) throw new ConnectError("device not found", Code.NotFound);
      return { device: withHealth(b, d) };
    },
    tagDevices: (req, ctx) => {
      b.enter("TagDevices", req, ctx);
      b.need("device.write");
      const changed = req.ids.map((id) => {
        const d = b.devices.find((x) => x.id === id);
        if (!d) throw new ConnectError("device not found", Code.NotFound);
        d.tags = [...new Set([...d.tags, ...req.addTags])].filter((t) => !req.removeTags.includes(t)).sort();
        return d;
      });
      return { devices: changed.map((d) => withHealth(b, d)) };
    },
  };
}

/** withHealth adds the health summary the server puts on every device it returns. */
export function withHealth(b: FakeBackend, d: Device): Device {
  return { ...d, health: summaryOf(b.deviceHealth.get(d.id)) };
}
