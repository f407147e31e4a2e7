import { OrganisationList } from "../features/organisations/OrganisationList";

/** /organisations */
export default function OrganisationsRoute() {
  return <OrganisationList />;
}
