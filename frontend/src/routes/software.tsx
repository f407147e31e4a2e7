import { SoftwareInventory } from "../features/inventory/SoftwareInventory";

/** /software?organisationId= */
export default function SoftwareRoute() {
  return <SoftwareInventory />;
}
