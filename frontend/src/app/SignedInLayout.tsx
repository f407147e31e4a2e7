import { Suspense, useEffect } from "react";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { ErrorMessage, Loading } from "../components/Feedback";
import { NotificationBell } from "../features/alerts/NotificationBell";
import { VerifyEmailBanner } from "../features/auth/VerifyEmail";
import { roleLabel, useSession, useWhoAmI } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";
import { ViewerContext } from "../features/auth/session";
import { applyAccent } from "../features/branding/brand";
import { BrandMark } from "../features/branding/BrandMark";
import { Role } from "../gen/wegweiser/v1/common_pb";
import type { WhoAmIResponse } from "../gen/wegweiser/v1/auth_pb";

/** SignedInLayout guards the dashboard: no tokens, no entry. */
export function SignedInLayout() {
  const { tokens } = useSession();
  const location = useLocation();
  if (!tokens) {
    const next = location.pathname + location.search;
    const to = next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
    return <Navigate to={to} replace />;
  }
  return <ViewerGate />;
}

function ViewerGate() {
  const whoAmI = useWhoAmI();
  const { signOut } = useSession();
  if (whoAmI.isPending) {
    return (
      <div className="fullscreen-center">
        <Loading label="Loading your dashboard…" />
      </div>
    );
  }
  if (whoAmI.isError) {
    return (
      <div className="fullscreen-center">
        <div className="card narrow">
          <h1>Cannot load the dashboard</h1>
          <ErrorMessage error={whoAmI.error} />
          <div className="row">
            <button type="button" className="btn btn-primary" onClick={() => void whoAmI.refetch()}>
              Try again
            </button>
            <button type="button" className="btn" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </div>
    );
  }
  return (
    <ViewerContext.Provider value={whoAmI.data}>
      <Shell viewer={whoAmI.data} />
    </ViewerContext.Provider>
  );
}

function Shell({ viewer }: { viewer: WhoAmIResponse }) {
  const { signOut } = useSession();
  const canSeeUsers =
    viewer.permissions.includes(Permission.UserManage) || viewer.permissions.includes(Permission.UserRead);
  const canReadDevices = viewer.permissions.includes(Permission.DeviceRead);
  const canEnrol = viewer.permissions.includes(Permission.EnrolmentManage);
  const canReadPolicy = viewer.permissions.includes(Permission.PolicyRead);
  const canManageAlerts = viewer.permissions.includes(Permission.AlertManage);
  const canManageAI = viewer.permissions.includes(Permission.AIManage);
  const canManageKeys = viewer.permissions.includes(Permission.APIKeyManage);
  const canManageSSO = viewer.permissions.includes(Permission.SSOManage);
  const canBrand = viewer.permissions.includes(Permission.TenantWrite);
  const canReadAudit = viewer.permissions.includes(Permission.AuditRead);
  const canTransfer =
    viewer.permissions.includes(Permission.TransferImport) || viewer.permissions.includes(Permission.TransferExport);
  const user = viewer.user;
  // Customers get a read-only portal of their own organisations.
  const portal = user?.role === Role.CUSTOMER;
  const accent = viewer.tenant?.branding?.accentColor;
  useEffect(() => {
    applyAccent(accent);
    return () => applyAccent(undefined);
  }, [accent]);
  return (
    <div className={portal ? "shell shell-portal" : "shell"}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <BrandMark tenant={viewer.tenant} portal={portal} />
        <nav aria-label="Main" data-tour="nav">
          <ul className="nav">
            <li>
              <NotificationBell />
            </li>
            <li>
              <NavLink to="/" end>
                Overview
              </NavLink>
            </li>
            <li>
              <NavLink to="/organisations">Organisations</NavLink>
            </li>
            <li>
              <NavLink to="/devices">Devices</NavLink>
            </li>
            {canReadDevices && !portal && (
              <li>
                <NavLink to="/software">Software</NavLink>
              </li>
            )}
            {canReadDevices && !portal && (
              <li>
                <NavLink to="/checks">Checks</NavLink>
              </li>
            )}
            {canReadPolicy && (
              <li>
                <NavLink to="/policy">Policy</NavLink>
              </li>
            )}
            {canEnrol && (
              <li>
                <NavLink to="/enrolment">Enrolment</NavLink>
              </li>
            )}
            {canTransfer && (
              <li>
                <NavLink to="/transfer">Import / export</NavLink>
              </li>
            )}
            {canManageAlerts && (
              <li>
                <NavLink to="/webhooks">Webhooks</NavLink>
              </li>
            )}
            {canSeeUsers && (
              <li>
                <NavLink to="/users">Users</NavLink>
              </li>
            )}
            {canSeeUsers && (
              <li>
                <NavLink to="/settings" end>
                  Settings
                </NavLink>
              </li>
            )}
            {canManageAI && (
              <li>
                <NavLink to="/settings/ai">AI assistant</NavLink>
              </li>
            )}
            {canManageKeys && (
              <li>
                <NavLink to="/settings/api-keys">API keys</NavLink>
              </li>
            )}
            {canManageSSO && (
              <li>
                <NavLink to="/settings/sso">Single sign-on</NavLink>
              </li>
            )}
            {canBrand && (
              <li>
                <NavLink to="/settings/branding">Branding</NavLink>
              </li>
            )}
            {canReadAudit && (
              <li>
                <NavLink to="/audit">Audit log</NavLink>
              </li>
            )}
            <li>
              <NavLink to="/settings/security">Account security</NavLink>
            </li>
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="who">
            <span className="who-name">{user?.displayName || user?.email}</span>
            <span className="who-role">{user ? roleLabel(user.role) : ""}</span>
          </div>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        <VerifyEmailBanner />
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
