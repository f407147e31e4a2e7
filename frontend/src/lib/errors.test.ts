import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { fieldError, splitFieldError } from "./errors";

describe("field errors", () => {
  it("reads the field an invalid_argument error names", () => {
    expect(fieldError(new ConnectError("url: must use https", Code.InvalidArgument))).toEqual({
      field: "url",
      message: "Must use https",
    });
    expect(fieldError(new ConnectError("scope.id: is required", Code.InvalidArgument))?.field).toBe("scope.id");
  });

  it("names no field for other codes or messages without one", () => {
    expect(fieldError(new ConnectError("url: must use https", Code.FailedPrecondition))).toBeNull();
    expect(fieldError(new ConnectError("Some of the values are not valid", Code.InvalidArgument))).toBeNull();
    expect(fieldError(null)).toBeNull();
  });

  it("puts the message beside a field of the form, and anything else in the box", () => {
    const err = new ConnectError("description: must be valid UTF-8 of at most 500 bytes", Code.InvalidArgument);
    expect(splitFieldError(err, { url: "url", description: "description" })).toEqual({
      byField: { description: "Must be valid UTF-8 of at most 500 bytes" },
      rest: null,
    });
    const other = new ConnectError("kinds: unknown kind", Code.InvalidArgument);
    expect(splitFieldError(other, { url: "url" })).toEqual({ byField: {}, rest: other });
    // A nested field falls back to its parent's form field.
    const nested = new ConnectError("scope.id: is required", Code.InvalidArgument);
    expect(splitFieldError(nested, { scope: "level" }).byField).toEqual({ level: "Is required" });
  });
});
