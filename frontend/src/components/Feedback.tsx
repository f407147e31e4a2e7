import type { ReactNode } from "react";
import { describeError } from "../lib/errors";

/** ErrorMessage shows an error (usually a ConnectError) in an alert box. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {title && <strong>{title} </strong>}
      {describeError(error)}
    </div>
  );
}

/** Loading is a polite placeholder while data loads. */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** Empty is shown when a list has nothing in it. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Notice is a short success message. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status">
      {children}
    </div>
  );
}

/** QueryLike is what QueryState reads of a TanStack query. */
export interface QueryLike<T> {
  isPending: boolean;
  error: unknown;
  data: T | undefined;
}

/**
 * QueryState is the one loading / error / empty pattern: a spinner while the
 * query is pending, its error in an alert, `empty` when isEmpty says the data
 * has nothing to show, and otherwise children with the data.
 */
export function QueryState<T>({
  query,
  loading,
  isEmpty,
  empty,
  errorTitle,
  children,
}: {
  query: QueryLike<T>;
  /** Label of the loading placeholder ("Loading devices…"). */
  loading?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  errorTitle?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading label={loading} />;
  if (query.data === undefined) {
    return <ErrorMessage error={query.error ?? new Error("no data")} title={errorTitle} />;
  }
  // A failed refetch keeps the data it had: show both.
  const error = query.error ? <ErrorMessage error={query.error} title={errorTitle} /> : null;
  if (isEmpty?.(query.data)) {
    return (
      <>
        {error}
        {empty && <Empty>{empty}</Empty>}
      </>
    );
  }
  return (
    <>
      {error}
      {children(query.data)}
    </>
  );
}
