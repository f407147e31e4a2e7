import type { ReactNode } from "react";
import { useEffect } from "react";

/** AuthCard frames the signed-out pages: sign in, sign up, accept invitation. */
export function AuthCard({ title, intro, children, footer }: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Wegweiser`;
  }, [title]);
  return (
    <main className="auth-screen">
      <div className="auth-card">
        <div className="brand brand-dark">
          <Logo />
          <span>Wegweiser</span>
        </div>
        <h1>{title}</h1>
        {intro && <p className="muted">{intro}</p>}
        {children}
        {footer && <div className="auth-footer">{footer}</div>}
      </div>
    </main>
  );
}

/** Logo is the signpost mark. */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="currentColor" />
      <path d="M9 22 16 8l7 14-7-4z" fill="#fff" />
    </svg>
  );
}
