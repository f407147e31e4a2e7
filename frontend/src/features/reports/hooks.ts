import { useMutation, useQuery } from "@connectrpc/connect-query";
import { keepPreviousData } from "@tanstack/react-query";
import { ReportFormat, ReportService } from "../../gen/wegweiser/v1/report_pb";
import { useInvalidate } from "../../lib/queries";

/** useReportPreview renders an organisation's report as HTML for the preview. */
export function useReportPreview(organisationId: string, periodDays: number) {
  return useQuery(
    ReportService.method.renderReport,
    { organisationId, periodDays, format: ReportFormat.HTML },
    { placeholderData: keepPreviousData, staleTime: 60_000 },
  );
}

/** useRenderReport renders a report on demand (the PDF download). */
export function useRenderReport() {
  return useMutation(ReportService.method.renderReport);
}

/** useSendReport mails a report to recipients now. */
export function useSendReport() {
  return useMutation(ReportService.method.sendReport);
}

/** useReportSchedules lists an organisation's monthly schedules. */
export function useReportSchedules(organisationId: string, enabled: boolean) {
  return useQuery(ReportService.method.listReportSchedules, { organisationId }, { enabled });
}

/** useCreateReportSchedule adds a monthly schedule. */
export function useCreateReportSchedule() {
  const invalidate = useInvalidate();
  return useMutation(ReportService.method.createReportSchedule, { onSuccess: () => invalidate(ReportService) });
}

/** useDeleteReportSchedule stops a schedule. */
export function useDeleteReportSchedule() {
  const invalidate = useInvalidate();
  return useMutation(ReportService.method.deleteReportSchedule, { onSuccess: () => invalidate(ReportService) });
}
