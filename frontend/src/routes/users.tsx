import { Page } from "../components/Page";
import { useCan } from "../features/auth/hooks";
import { Permission } from "../features/auth/permissions";
import { UserAdmin } from "../features/users/UserAdmin";

/** /users (only with user.read or user.manage) */
export default function UsersRoute() {
  const canRead = useCan(Permission.UserRead);
  const canManage = useCan(Permission.UserManage);
  if (!canRead && !canManage) {
    return (
      <Page title="Users">
        <div className="alert alert-error" role="alert">
          You are not allowed to see the users of this tenant.
        </div>
      </Page>
    );
  }
  return <UserAdmin canManage={canManage} />;
}
