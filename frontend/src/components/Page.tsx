import type { ReactNode } from "react";
import { useEffect } from "react";

/** Page is the frame of a routed page: a heading, optional actions and the content. */
export function Page({
  title,
  subtitle,
  actions,
  breadcrumb,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  breadcrumb?: ReactNode;
  children: ReactNode;
}) {
  useEffect(() => {
    if (typeof title === "string") document.title = `${title} · Wegweiser`;
  }, [title]);
  return (
    <div className="page">
      {breadcrumb && <nav className="breadcrumb" aria-label="Breadcrumb">{breadcrumb}</nav>}
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          {subtitle && <p className="page-subtitle">{subtitle}</p>}
        </div>
        {actions && (
          <div className="page-actions" data-tour="page-actions">
            {actions}
          </div>
        )}
      </header>
      {children}
    </div>
  );
}

/** Section is a titled card on a page. */
export function Section({
  title,
  actions,
  tour,
  children,
}: {
  title: string;
  actions?: ReactNode;
  /** The data-tour name a guided tour highlights this section by. */
  tour?: string;
  children: ReactNode;
}) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section className="card" aria-labelledby={id} data-tour={tour}>
      <header className="card-header">
        <h2 id={id}>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** Subsection is a titled block inside a card or tab (an h3). */
export function Subsection({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const id = `sub-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section className="subsection" aria-labelledby={id}>
      {actions ? (
        <div className="subsection-header">
          <h3 id={id}>{title}</h3>
          <div className="card-actions">{actions}</div>
        </div>
      ) : (
        <h3 id={id}>{title}</h3>
      )}
      {children}
    </section>
  );
}
