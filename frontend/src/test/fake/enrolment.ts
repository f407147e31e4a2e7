import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { ServiceImpl } from "@connectrpc/connect";
import { EnrolmentService } from "../../gen/wegweiser/v1/enrolment_pb";
import type { FakeBackend } from "../fake-backend";

/** enrolmentService answers EnrolmentService for the fake backend b. */
export function enrolmentService(b: FakeBackend): Partial<ServiceImpl<typeof EnrolmentService>> {
  return {
    createEnrolmentKey: (req, ctx) => {
      b.enter("CreateEnrolmentKey", req, ctx);
      b.need("enrolment.manage");
      b.org(req.organisationId);
      if (req.groupId && !b.groups.some((g) => g.id === req.groupId && g.organisationId === req.organisationId)) {
        throw new ConnectError("group not found in this organisation", Code.InvalidArgument);
      }
      const key = b.addEnrolmentKey(req.organisationId, {
        groupId: req.groupId,
        description: req.description,
        maxUses: req.maxUses,
        expireTime: req.expireTime,
        createTime: timestampFromDate(new Date()),
      });
      const secret = `${key.prefix}_s3cr3t`;
      return {
        key,
        secret,
        installCommands: [
          // As backend/internal/enrolment.InstallCommands words them.
          { platform: "linux", command: `curl -fsSL ${b.agentDistribution.publicUrl}/install.sh | sudo sh -s -- --key ${secret}` },
          { platform: "macos", command: `curl -fsSL ${b.agentDistribution.publicUrl}/install.sh | sudo sh -s -- --key ${secret}` },
          {
            platform: "windows",
            command: `& ([scriptblock]::Create((irm ${b.agentDistribution.publicUrl}/install.ps1))) -Key '${secret}'`,
          },
        ],
      };
    },
    listEnrolmentKeys: (req, ctx) => {
      b.enter("ListEnrolmentKeys", req, ctx);
      b.need("enrolment.manage");
      const now = Date.now();
      const keys = b.enrolmentKeys
        .filter((k) => !req.organisationId || k.organisationId === req.organisationId)
        .filter(
          (k) =>
            req.includeInactive ||
            (!k.revokeTime && !(k.expireTime && Number(k.expireTime.seconds) * 1000 < now)),
        )
        .sort((a, b) => Number((b.createTime?.seconds ?? 0n) - (a.createTime?.seconds ?? 0n)));
      return { keys };
    },
    revokeEnrolmentKey: (req, ctx) => {
      b.enter("RevokeEnrolmentKey", req, ctx);
      b.need("enrolment.manage");
      const k = b.enrolmentKeys.find((x) => x.id === req.id);
      if (!k) throw new ConnectError("enrolment key not found", Code.NotFound);
      k.revokeTime ??= timestampFromDate(new Date());
      return { key: k };
    },
    getAgentDistribution: (req, ctx) => {
      b.enter("GetAgentDistribution", req, ctx);
      b.need("enrolment.manage");
      return b.agentDistribution;
    },
    revokeDeviceToken: (req, ctx) => {
      b.enter("RevokeDeviceToken", req, ctx);
      b.need("enrolment.manage");
      if (!b.devices.some((d) => d.id === req.deviceId)) throw new ConnectError("device not found", Code.NotFound);
      return {};
    },
  };
}
