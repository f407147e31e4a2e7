/**
 * WebAuthn JSON <-> ArrayBuffer: the server sends creation and request
 * options as JSON with binary fields in base64url, and wants the
 * PublicKeyCredential back the same way.
 */

/** b64urlToBytes decodes base64url (padding optional). */
export function b64urlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(s.length / 4) * 4, "=");
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** bytesToB64url encodes bytes as base64url without padding. */
export function bytesToB64url(buf: ArrayBuffer | ArrayBufferView): string {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface Descriptor {
  id: string;
  type: string;
  transports?: string[];
}

function descriptors(list: Descriptor[] | undefined): PublicKeyCredentialDescriptor[] | undefined {
  return list?.map((d) => ({
    id: b64urlToBytes(d.id),
    type: "public-key",
    transports: d.transports as AuthenticatorTransport[] | undefined,
  }));
}

/** creationOptionsFromJSON turns the server's creation options into what navigator.credentials.create takes. */
export function creationOptionsFromJSON(json: string): PublicKeyCredentialCreationOptions {
  const o = JSON.parse(json) as Record<string, unknown> & {
    challenge: string;
    user: { id: string; name: string; displayName: string };
    excludeCredentials?: Descriptor[];
  };
  return {
    ...(o as unknown as PublicKeyCredentialCreationOptions),
    challenge: b64urlToBytes(o.challenge),
    user: { ...o.user, id: b64urlToBytes(o.user.id) },
    excludeCredentials: descriptors(o.excludeCredentials),
  };
}

/** requestOptionsFromJSON turns the server's request options into what navigator.credentials.get takes. */
export function requestOptionsFromJSON(json: string): PublicKeyCredentialRequestOptions {
  const o = JSON.parse(json) as Record<string, unknown> & { challenge: string; allowCredentials?: Descriptor[] };
  return {
    ...(o as unknown as PublicKeyCredentialRequestOptions),
    challenge: b64urlToBytes(o.challenge),
    allowCredentials: descriptors(o.allowCredentials),
  };
}

interface ResponseLike {
  clientDataJSON: ArrayBuffer;
  attestationObject?: ArrayBuffer;
  authenticatorData?: ArrayBuffer;
  signature?: ArrayBuffer;
  userHandle?: ArrayBuffer | null;
  getTransports?: () => string[];
}

/** credentialToJSON serialises a PublicKeyCredential (from create or get) for the server. */
export function credentialToJSON(cred: {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  response: ResponseLike;
  authenticatorAttachment?: string | null;
}): string {
  const r = cred.response;
  const response: Record<string, unknown> = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
  if (r.attestationObject) response.attestationObject = bytesToB64url(r.attestationObject);
  if (r.authenticatorData) response.authenticatorData = bytesToB64url(r.authenticatorData);
  if (r.signature) response.signature = bytesToB64url(r.signature);
  if (r.userHandle) response.userHandle = bytesToB64url(r.userHandle);
  if (typeof r.getTransports === "function") response.transports = r.getTransports();
  return JSON.stringify({
    id: cred.id,
    rawId: bytesToB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    response,
    clientExtensionResults: {},
  });
}

/** passkeysSupported reports whether this browser can use passkeys here. */
export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
}

/** createPasskey runs navigator.credentials.create with the server's options and returns the credential JSON. */
export async function createPasskey(optionsJSON: string): Promise<string> {
  const cred = await navigator.credentials.create({ publicKey: creationOptionsFromJSON(optionsJSON) });
  if (!cred) throw new Error("No passkey was created.");
  return credentialToJSON(cred as unknown as Parameters<typeof credentialToJSON>[0]);
}

/** getPasskey runs navigator.credentials.get with the server's options and returns the assertion JSON. */
export async function getPasskey(optionsJSON: string): Promise<string> {
  const cred = await navigator.credentials.get({ publicKey: requestOptionsFromJSON(optionsJSON) });
  if (!cred) throw new Error("No passkey was chosen.");
  return credentialToJSON(cred as unknown as Parameters<typeof credentialToJSON>[0]);
}
