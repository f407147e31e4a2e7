import { useParams } from "react-router";
import { ReportPage } from "../features/reports/ReportPage";

/** /organisations/:id/report */
export default function ReportRoute() {
  const { id = "" } = useParams();
  return <ReportPage key={id} organisationId={id} />;
}
