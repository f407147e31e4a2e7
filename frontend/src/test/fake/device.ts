import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BulkOperationSchema,
  BulkOperationState,
  type Device,
  DeviceService,
  DeviceOrder,
  type ListDevicesRequest,
  Platform,
  type StartBulkOperationRequest,
} from "../../gen/wegweiser/v1/device_pb";
import { Band } from "../../gen/wegweiser/v1/health_pb";
import type { FakeBackend } from "../fake-backend";
import { page } from "./shared";
import { byScore, failsCheck, summaryOf } from "./triage";

/** deviceService answers DeviceService for the fake backend b. */
export function deviceService(b: FakeBackend): Partial<ServiceImpl<typeof DeviceService>> {
  return {
    listDevices: (req, ctx) => {
      b.enter("ListDevices", req, ctx);
      const found = matching(b, req);
      if (req.orderBy === DeviceOrder.SCORE) {
        found.sort(byScore(req.descending));
      } else {
        found.sort((a, b) =>
          req.orderBy === DeviceOrder.LAST_SEEN
            ? Number(a.lastSeenTime?.seconds ?? 0n) - Number(b.lastSeenTime?.seconds ?? 0n)
            : a.hostname.localeCompare(b.hostname),
        );
        if (req.descending) found.reverse();
      }
      return page(found, req.pageSize || 50, req.pageToken, (devices, nextPageToken) => ({
        devices,
        nextPageToken,
        totalSize: req.pageToken ? 0 : found.length,
      }));
    },
    getDevice: (req, ctx) => {
      b.enter("GetDevice", req, ctx);
      const d = b.devices.find((x) => x.id === req.id);
      if (!d) throw new ConnectError("device not found", Code.NotFound);
      return { device: withHealth(b, d) };
    },
    startBulkOperation: (req, ctx) => {
      b.enter("StartBulkOperation", req, ctx);
      b.need("device.write");
      const action = req.action;
      if (!action.case) throw new ConnectError("action: one of move, tag, retire or reanalyse is required", Code.InvalidArgument);
      if (action.case === "retire") b.need("device.delete");
      if (action.case === "move") {
        const dest = action.value.groupId ? b.groups.find((g) => g.id === action.value.groupId) : undefined;
        if (action.value.groupId && !dest) throw new ConnectError("group not found", Code.NotFound);
        const org = dest?.organisationId ?? action.value.organisationId;
        if (!org) throw new ConnectError("move.organisation_id: organisation_id or group_id is required", Code.InvalidArgument);
        b.org(org);
      }
      if (action.case === "tag" && action.value.addTags.length === 0 && action.value.removeTags.length === 0) {
        throw new ConnectError("tag.add_tags: add_tags or remove_tags is required", Code.InvalidArgument);
      }
      const selected = bulkSelection(b, req);
      for (const d of selected) {
        if (action.case === "move") {
          const g = b.groups.find((x) => x.id === action.value.groupId);
          d.organisationId = g?.organisationId ?? action.value.organisationId;
          d.groupId = g?.id ?? "";
        } else if (action.case === "tag") {
          d.tags = [...new Set([...d.tags, ...action.value.addTags])].filter((t) => !action.value.removeTags.includes(t)).sort();
        } else if (action.case === "retire") {
          d.retireTime ??= timestampFromDate(new Date());
        }
      }
      const op = create(BulkOperationSchema, {
        id: `bulk-${b.bulkOperations.length + 1}`,
        action: action.case,
        state: BulkOperationState.QUEUED,
        total: selected.length,
        createdBy: b.me.id,
        createTime: timestampFromDate(new Date()),
      });
      b.bulkOperations.push(op);
      return { operation: op };
    },
    getBulkOperation: (req, ctx) => {
      b.enter("GetBulkOperation", req, ctx);
      b.need("device.read");
      const op = b.bulkOperations.find((o) => o.id === req.id);
      if (!op) throw new ConnectError("bulk operation not found", Code.NotFound);
      if (op.state === BulkOperationState.QUEUED || op.state === BulkOperationState.RUNNING) {
        op.processed = Math.min(op.total, op.processed + b.bulkStep);
        op.state = BulkOperationState.RUNNING;
        if (op.processed === op.total) {
          op.state = op.failed > 0 ? BulkOperationState.FAILED : BulkOperationState.SUCCEEDED;
          op.finishTime = timestampFromDate(new Date());
        }
      }
      return { operation: op };
    },
    listBulkOperations: (req, ctx) => {
      b.enter("ListBulkOperations", req, ctx);
      b.need("device.read");
      return { operations: [...b.bulkOperations].reverse().slice(0, req.pageSize || 20) };
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

/** matching returns the devices a ListDevices request selects (unsorted), with their health, as the caller sees them. */
function matching(b: FakeBackend, req: ListDevicesRequest): Device[] {
  const scope = b.me.organisationIds;
  const sw = req.software?.name ? req.software : undefined;
  if (req.bands.length > 5 || req.bands.some((x) => !(x in Band))) {
    throw new ConnectError("bands: unknown band", Code.InvalidArgument);
  }
  if (req.failingCheckId && !b.checks.some((c) => c.id === req.failingCheckId)) {
    throw new ConnectError("failing_check_id: is not a check of the catalogue", Code.InvalidArgument);
  }
  return b.devices
    .filter((d) => scope.length === 0 || scope.includes(d.organisationId))
    .filter((d) => req.includeRetired || !d.retireTime)
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
}

/** MAX_BULK_DEVICES mirrors the server's limit on one bulk operation. */
const MAX_BULK_DEVICES = 10_000;

/** bulkSelection resolves a bulk selection like the server: refused whole if any id is not visible. */
function bulkSelection(b: FakeBackend, req: StartBulkOperationRequest): Device[] {
  const sel = req.selection?.selection;
  if (sel?.case === "filter") {
    const found = matching(b, sel.value);
    if (found.length === 0) throw new ConnectError("selection.filter: matches no devices", Code.InvalidArgument);
    if (found.length > MAX_BULK_DEVICES) throw new ConnectError("selection.filter: matches too many devices", Code.InvalidArgument);
    // The stored devices, not the copies with health.
    return found.map((f) => b.devices.find((d) => d.id === f.id) ?? f);
  }
  if (sel?.case !== "ids" || sel.value.ids.length === 0) {
    throw new ConnectError("selection: ids or a filter is required", Code.InvalidArgument);
  }
  const scope = b.me.organisationIds;
  return sel.value.ids.map((id) => {
    const d = b.devices.find((x) => x.id === id && (scope.length === 0 || scope.includes(x.organisationId)));
    if (!d) throw new ConnectError("device not found", Code.NotFound);
    return d;
  });
}

/** withHealth adds the health summary the server puts on every device it returns. */
export function withHealth(b: FakeBackend, d: Device): Device {
  return { ...d, health: summaryOf(b.deviceHealth.get(d.id)) };
}
