import { useParams } from "react-router";
import { OrganisationDetail } from "../features/organisations/OrganisationDetail";

/** /organisations/:id */
export default function OrganisationRoute() {
  const { id = "" } = useParams();
  return <OrganisationDetail key={id} id={id} />;
}
