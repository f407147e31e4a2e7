import { NotificationCentre } from "../features/alerts/NotificationCentre";

/** /notifications (every member; read state is per user) */
export default function NotificationsRoute() {
  return <NotificationCentre />;
}
