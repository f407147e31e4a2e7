import { isRouteErrorResponse, Link, useRouteError } from "react-router";

/** RouteError is shown when rendering a route throws. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : "Unknown error";
  return (
    <div className="fullscreen-center">
      <div className="card narrow">
        <h1>Something went wrong</h1>
        <div className="alert alert-error" role="alert">
          {message}
        </div>
        <p>
          <Link to="/">Back to the overview</Link> or reload the page.
        </p>
      </div>
    </div>
  );
}
