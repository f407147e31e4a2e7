import { describe, expect, it } from "vitest";
import { b64urlToBytes, bytesToB64url, creationOptionsFromJSON, credentialToJSON, requestOptionsFromJSON } from "./webauthn";

describe("webauthn JSON", () => {
  it("round-trips base64url without padding, including + and / bytes", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    const s = bytesToB64url(bytes);
    expect(s).toBe("-_-_AAE");
    expect(Array.from(b64urlToBytes(s))).toEqual(Array.from(bytes));
  });

  it("decodes challenge, user id and excluded credentials of creation options", () => {
    const o = creationOptionsFromJSON(
      JSON.stringify({
        challenge: "AQID",
        rp: { id: "localhost", name: "Wegweiser" },
        user: { id: "BAU", name: "ada@example.com", displayName: "Ada" },
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        excludeCredentials: [{ id: "Bwg", type: "public-key" }],
      }),
    );
    expect(Array.from(new Uint8Array(o.challenge as ArrayBuffer))).toEqual([1, 2, 3]);
    expect(Array.from(new Uint8Array(o.user.id as ArrayBuffer))).toEqual([4, 5]);
    expect(Array.from(new Uint8Array(o.excludeCredentials?.[0]?.id as ArrayBuffer))).toEqual([7, 8]);
    expect(o.rp.id).toBe("localhost");
  });

  it("decodes request options and encodes an assertion", () => {
    const o = requestOptionsFromJSON(JSON.stringify({ challenge: "AQID", userVerification: "required" }));
    expect(o.userVerification).toBe("required");
    expect(o.allowCredentials).toBeUndefined();
    const json = JSON.parse(
      credentialToJSON({
        id: "Bwg",
        rawId: new Uint8Array([7, 8]).buffer,
        type: "public-key",
        response: {
          clientDataJSON: new Uint8Array([1]).buffer,
          authenticatorData: new Uint8Array([2]).buffer,
          signature: new Uint8Array([3]).buffer,
          userHandle: new Uint8Array([4]).buffer,
        },
      }),
    );
    expect(json).toMatchObject({
      id: "Bwg",
      rawId: "Bwg",
      type: "public-key",
      response: { clientDataJSON: "AQ", authenticatorData: "Ag", signature: "Aw", userHandle: "BA" },
    });
    expect(json.response.attestationObject).toBeUndefined();
  });
});
