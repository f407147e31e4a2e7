import { useMutation } from "@connectrpc/connect-query";
import { DeviceService } from "../../gen/wegweiser/v1/device_pb";
import { TenantService } from "../../gen/wegweiser/v1/tenant_pb";
import { TransferKind, TransferService } from "../../gen/wegweiser/v1/transfer_pb";
import { useInvalidate } from "../../lib/queries";

/** MAX_IMPORT_BYTES is the server's limit on one import file (10 MB). */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

/** TRANSFER_KINDS are the kinds of file, in the order the page offers them. */
export const TRANSFER_KINDS = [
  { kind: TransferKind.ORGANISATIONS, label: "Organisations", columns: "name, description" },
  { kind: TransferKind.GROUPS, label: "Groups", columns: "organisation, name, description" },
  {
    kind: TransferKind.DEVICES,
    label: "Devices",
    columns: "organisation, group, hostname, serial_number, tags (separated by ;)",
  },
] as const;

/** useImportTemplate fetches the template of a kind (to download). */
export function useImportTemplate() {
  return useMutation(TransferService.method.getImportTemplate);
}

/** usePreviewImport checks a file without writing anything. */
export function usePreviewImport() {
  return useMutation(TransferService.method.previewImport);
}

/** useCommitImport applies a previewed file; organisations, groups and devices are read again. */
export function useCommitImport() {
  const invalidate = useInvalidate();
  return useMutation(TransferService.method.commitImport, {
    onSuccess: () => invalidate(TenantService, DeviceService),
  });
}

/** useExport fetches what the caller can see of a kind as CSV. */
export function useExport() {
  return useMutation(TransferService.method.export);
}

