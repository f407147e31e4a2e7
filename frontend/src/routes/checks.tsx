import { ChecksCatalogue } from "../features/health/ChecksCatalogue";

/** /checks (#check-<id> highlights one check) */
export default function ChecksRoute() {
  return <ChecksCatalogue />;
}
