import { Link } from "react-router";
import { Page } from "../components/Page";

/** Any unknown path inside the dashboard. */
export default function NotFoundRoute() {
  return (
    <Page title="Page not found">
      <p>
        There is nothing here. <Link to="/">Go to the overview</Link>.
      </p>
    </Page>
  );
}
