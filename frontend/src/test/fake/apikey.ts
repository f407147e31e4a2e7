import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { APIKeySchema, APIKeyService, type APIKey } from "../../gen/wegweiser/v1/apikey_pb";
import { Role } from "../../gen/wegweiser/v1/common_pb";
import type { FakeBackend } from "../fake-backend";
import { page } from "./shared";

/** FakeAPIKeys keeps API keys for the fake backend, newest first. */
export class FakeAPIKeys {
  keys: APIKey[] = [];
  private seq = 0;

  add(extra: Partial<Omit<APIKey, "$typeName" | "$unknown">> = {}): APIKey {
    this.seq++;
    const key = create(APIKeySchema, {
      id: `key-${this.seq}`,
      name: `Key ${this.seq}`,
      prefix: `wwk_000${this.seq}abcd`,
      role: Role.VIEWER,
      createTime: timestampNow(),
      createdBy: "ada@example.com",
      ...extra,
    });
    this.keys.unshift(key);
    return key;
  }
}

/** withAPIKeys registers APIKeyService (over keys) next to the backend's services. */
export function withAPIKeys(b: FakeBackend, keys: FakeAPIKeys) {
  const routes = b.routes;
  b.routes = (router: ConnectRouter) => {
    routes(router);
    router.service(APIKeyService, apiKeyService(b, keys));
  };
}

/** apiKeyService answers APIKeyService like the server: apikey.manage, roles not above the caller's. */
export function apiKeyService(b: FakeBackend, k: FakeAPIKeys): Partial<ServiceImpl<typeof APIKeyService>> {
  return {
    listAPIKeys: (req, ctx) => {
      b.enter("ListAPIKeys", req, ctx);
      b.need("apikey.manage");
      return page(k.keys, req.pageSize || 100, req.pageToken, (apiKeys, nextPageToken) => ({ apiKeys, nextPageToken }));
    },
    createAPIKey: (req, ctx) => {
      b.enter("CreateAPIKey", req, ctx);
      b.need("apikey.manage");
      if (req.role === Role.OWNER && b.role !== Role.OWNER) {
        throw new ConnectError("only owners create owner keys", Code.PermissionDenied);
      }
      if (req.role === Role.CUSTOMER && req.organisationIds.length === 0) {
        throw new ConnectError("organisation_ids: customer keys must be limited", Code.InvalidArgument);
      }
      const apiKey = k.add({
        name: req.name,
        role: req.role,
        organisationIds: req.organisationIds,
        expireTime: req.expireTime,
        createdBy: b.me.email,
      });
      return { apiKey, secret: `${apiKey.prefix}-the-rest-of-the-secret` };
    },
    revokeAPIKey: (req, ctx) => {
      b.enter("RevokeAPIKey", req, ctx);
      b.need("apikey.manage");
      const key = k.keys.find((x) => x.id === req.apiKeyId);
      if (!key) throw new ConnectError("API key not found", Code.NotFound);
      key.revokeTime ??= timestampNow();
      return { apiKey: key };
    },
  };
}
