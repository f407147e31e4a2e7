// A minimal OpenID Connect provider for the browser tests (node:http and
// node:crypto only): discovery, a JWKS, /authorize that signs in the
// configured user at once and redirects back with a code, and /token that
// checks the client secret and the PKCE (S256) verifier and returns an
// RS256-signed ID token carrying the authorization request's nonce.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** OIDCUser is who the provider signs in. */
export interface OIDCUser {
  sub: string;
  email: string;
  name: string;
}

interface Grant {
  challenge: string;
  nonce: string;
  redirectUri: string;
  user: OIDCUser;
}

/** OIDCProvider is a running test provider. */
export interface OIDCProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** user is signed in by the next /authorize. */
  user: OIDCUser;
  /** tokens counts the successful code exchanges. */
  tokens: number;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

function idToken(key: KeyObject, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "e2e" }));
  const body = b64url(JSON.stringify(claims));
  const sig = sign("sha256", Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(sig)}`;
}

/** startOIDCProvider listens on a free loopback port. */
export async function startOIDCProvider(clientId: string, clientSecret: string, user: OIDCUser): Promise<OIDCProvider> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "e2e", alg: "RS256", use: "sig" };
  const grants = new Map<string, Grant>();
  const provider: OIDCProvider = { issuer: "", clientId, clientSecret, user, tokens: 0, close: async () => {} };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", provider.issuer);
    if (req.method === "GET" && url.pathname === "/.well-known/openid-configuration") {
      return json(res, 200, {
        issuer: provider.issuer,
        authorization_endpoint: `${provider.issuer}/authorize`,
        token_endpoint: `${provider.issuer}/token`,
        jwks_uri: `${provider.issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (req.method === "GET" && url.pathname === "/jwks") return json(res, 200, { keys: [jwk] });
    if (req.method === "GET" && url.pathname === "/authorize") {
      const q = url.searchParams;
      const redirectUri = q.get("redirect_uri") ?? "";
      if (q.get("client_id") !== clientId || q.get("code_challenge_method") !== "S256" || !q.get("code_challenge") || !redirectUri) {
        res.writeHead(400).end("bad authorization request");
        return;
      }
      const code = b64url(randomBytes(24));
      grants.set(code, { challenge: q.get("code_challenge") ?? "", nonce: q.get("nonce") ?? "", redirectUri, user: provider.user });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state") ?? "");
      res.writeHead(302, { Location: back.toString() }).end();
      return;
    }
    if (req.method === "POST" && url.pathname === "/token") {
      void readForm(req).then((form) => {
        let id = form.get("client_id") ?? "";
        let secret = form.get("client_secret") ?? "";
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
        if (basic?.[1]) {
          const [u, p] = Buffer.from(basic[1], "base64").toString("utf8").split(":");
          id = decodeURIComponent(u ?? "");
          secret = decodeURIComponent(p ?? "");
        }
        if (id !== clientId || secret !== clientSecret) return json(res, 401, { error: "invalid_client" });
        const code = form.get("code") ?? "";
        const g = grants.get(code);
        grants.delete(code);
        const verifier = form.get("code_verifier") ?? "";
        if (!g || form.get("redirect_uri") !== g.redirectUri || b64url(createHash("sha256").update(verifier).digest()) !== g.challenge) {
          return json(res, 400, { error: "invalid_grant" });
        }
        const now = Math.floor(Date.now() / 1000);
        provider.tokens++;
        return json(res, 200, {
          access_token: b64url(randomBytes(24)),
          token_type: "Bearer",
          expires_in: 300,
          id_token: idToken(privateKey, {
            iss: provider.issuer, sub: g.user.sub, aud: clientId, iat: now, exp: now + 300, nonce: g.nonce,
            email: g.user.email, email_verified: true, name: g.user.name,
          }),
        });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return provider;
}
