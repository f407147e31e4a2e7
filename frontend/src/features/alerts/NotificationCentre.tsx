import { useId, useState } from "react";
import { Link } from "react-router";
import { ErrorMessage, QueryState } from "../../components/Feedback";
import { LoadMore } from "../inventory/parts";
import { Page, Section } from "../../components/Page";
import { RelativeTime } from "../../components/RelativeTime";
import type { Notification } from "../../gen/wegweiser/v1/alert_pb";
import { useMarkRead, useNotifications } from "./hooks";
import { entityLink, kindLabel, severityBadge, severityLabel } from "./labels";

/**
 * NotificationCentre is the message centre: the caller's notifications,
 * newest first, with their own read state. Titles and bodies come from the
 * analysis of endpoint data: they are rendered as text only.
 */
export function NotificationCentre() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useNotifications(unreadOnly);
  const markAll = useMarkRead();
  const unread = list.data?.pages[0]?.unreadCount ?? 0;

  return (
    <Page
      title="Notifications"
      subtitle="Worse bands, new critical findings, regressions below the 14-day baseline and silent agents. What you have read is yours alone."
      actions={
        <button
          type="button"
          className="btn"
          disabled={unread === 0 || markAll.isPending}
          onClick={() => markAll.mutate({ all: true })}
        >
          {markAll.isPending ? "Marking…" : "Mark all read"}
        </button>
      }
    >
      <ErrorMessage error={markAll.error} />
      <Section
        title="Messages"
        actions={
          <>
            <span className="muted small" role="status">
              {list.isSuccess && (unread === 0 ? "All read" : `${unread} unread`)}
            </span>
            <label className="checkbox">
              <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
              Unread only
            </label>
          </>
        }
      >
        <QueryState
          query={list}
          loading="Loading notifications…"
          isEmpty={(d) => d.pages.every((p) => p.notifications.length === 0) && !list.hasNextPage}
          empty={unreadOnly ? "No unread notifications." : "No notifications yet."}
        >
          {(data) => (
            <>
              <ul className="notification-list" aria-label="Notifications">
                {data.pages
                  .flatMap((p) => p.notifications)
                  .map((n) => (
                    <NotificationItem key={n.id} notification={n} />
                  ))}
              </ul>
              <LoadMore
                hasNextPage={list.hasNextPage}
                fetching={list.isFetchingNextPage}
                onLoad={() => void list.fetchNextPage()}
              />
            </>
          )}
        </QueryState>
      </Section>
    </Page>
  );
}

function NotificationItem({ notification: n }: { notification: Notification }) {
  const mark = useMarkRead();
  const titleId = useId();
  const link = entityLink(n.entity);
  return (
    <li className={`notification notification-${n.severity || "info"}${n.read ? "" : " notification-unread"}`}>
      <div className="notification-head">
        {!n.read && <span className="unread-dot" title="Unread" aria-hidden="true" />}
        <span className={`badge ${severityBadge(n.severity)}`}>{severityLabel(n.severity)}</span>
        <span className="notification-kind">{kindLabel(n.kind)}</span>
        {!n.read && <span className="sr-only">Unread</span>}
        <span className="notification-time">
          <RelativeTime value={n.createTime} never="—" />
        </span>
      </div>
      <p className="notification-title" id={titleId}>
        {n.title}
      </p>
      {n.body && <p className="notification-body">{n.body}</p>}
      <div className="notification-actions">
        {link && (
          <Link className="small" to={link.to}>
            {link.label}
          </Link>
        )}
        {!n.read && (
          <button
            type="button"
            className="btn btn-small"
            aria-describedby={titleId}
            disabled={mark.isPending}
            onClick={() => mark.mutate({ ids: [n.id] })}
          >
            Mark read
          </button>
        )}
        <ErrorMessage error={mark.error} />
      </div>
    </li>
  );
}
