import { useParams } from "react-router";
import { DiscoveryReport } from "../features/ai/DiscoveryReport";

/** /organisations/:id/discovery */
export default function DiscoveryRoute() {
  const { id = "" } = useParams();
  return <DiscoveryReport key={id} organisationId={id} />;
}
