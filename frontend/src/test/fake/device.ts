import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { DeviceService, DeviceOrder, Platform } from "../../gen/wegweiser/v1/device_pb";
import type { FakeBackend } from "../fake-backend";
import { page } from "./shared";
import { triageFilter, withSummaries } from "./triage";

/** deviceService answers DeviceService for the fake backend b. */
export function deviceService(b: FakeBackend): Partial<ServiceImpl<typeof DeviceService>> {
  return {
    listDevices: (req, ctx) => {
      b.enter("ListDevices", req, ctx);
      const matching = b.devices
        .filter((d) => !req.organisationId || d.organisationId === req.organisationId)
        .filter((d) => !req.groupId || d.groupId === req.groupId)
        .filter((d) => req.platform === Platform.UNSPECIFIED || d.platform === req.platform)
        .filter((d) => !req.tag || d.tags.includes(req.tag))
        .filter((d) => d.hostname.toLowerCase().includes(req.query.toLowerCase()))
        .filter((d) => triageFilter(b, req, d))
        .sort((a, b) =>
          req.orderBy === DeviceOrder.LAST_SEEN
            ? Number(a.lastSeenTime?.seconds ?? 0n) - Number(b.lastSeenTime?.seconds ?? 0n)
            : a.hostname.localeCompare(b.hostname),
        );
      if (req.descending) matching.reverse();
      return page(withSummaries(b, req, matching), req.pageSize || 50, req.pageToken, (devices, nextPageToken) => ({
        devices,
        nextPageToken,
      }));
    },
    getDevice: (req, ctx) => {
      b.enter("GetDevice", req, ctx);
      const d = b.devices.find((x) => x.id === req.id);
      if (!d) throw new ConnectError("device not found", Code.NotFound);
      return { device: d };
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
      return { devices: changed };
    },
  };
}
