import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { UserSchema } from "../../gen/wegweiser/v1/auth_pb";
import { UserService } from "../../gen/wegweiser/v1/user_pb";
import type { FakeBackend } from "../fake-backend";

/** userService answers UserService for the fake backend b. */
export function userService(b: FakeBackend): Partial<ServiceImpl<typeof UserService>> {
  return {
    listUsers: (req, ctx) => {
      b.enter("ListUsers", req, ctx);
      return { users: b.users };
    },
    inviteUser: (req, ctx) => {
      b.enter("InviteUser", req, ctx);
      b.need("user.manage");
      const user = create(UserSchema, {
        id: `u${b.users.length + 1}`,
        email: req.email,
        role: req.role,
        organisationIds: req.organisationIds,
        invitationPending: true,
      });
      b.users.push(user);
      // As the server: the link is mailed to the invitee, never returned.
      return { user };
    },
    disableUser: (req, ctx) => {
      b.enter("DisableUser", req, ctx);
      b.need("user.manage");
      const u = b.users.find((x) => x.id === req.userId);
      if (!u) throw new ConnectError("user not found", Code.NotFound);
      u.disabled = true;
      return { user: u };
    },
  };
}
