import { NavLink } from "react-router";
import { useUnreadCount } from "./hooks";

/**
 * NotificationBell links to the message centre with the caller's unread
 * count, polled every minute (one notification per request).
 */
export function NotificationBell() {
  const unread = useUnreadCount();
  const n = unread.data?.unreadCount ?? 0;
  return (
    <NavLink
      to="/notifications"
      className="nav-bell"
      aria-label={n > 0 ? `Notifications: ${n} unread` : "Notifications"}
    >
      <svg className="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
        <path
          d="M12 3a6 6 0 0 0-6 6v3.6l-1.6 2.8A1 1 0 0 0 5.3 17h13.4a1 1 0 0 0 .9-1.6L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15.5a2.5 2.5 0 0 0 5 0"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <span>Notifications</span>
      {n > 0 && (
        <span className="bell-count" aria-hidden="true">
          {n > 99 ? "99+" : n}
        </span>
      )}
    </NavLink>
  );
}
