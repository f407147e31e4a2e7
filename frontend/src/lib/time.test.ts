import { describe, expect, it } from "vitest";
import { formatRelative } from "./time";

describe("formatRelative", () => {
  const now = new Date("2025-06-15T12:00:00Z");
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it.each([
    [10, "just now"],
    [90, "2 minutes ago"],
    [59 * 60, "59 minutes ago"],
    [3 * 3600, "3 hours ago"],
    [26 * 3600, "yesterday"],
    [3 * 86400, "3 days ago"],
    [15 * 86400, "2 weeks ago"],
    [65 * 86400, "2 months ago"],
    [800 * 86400, "2 years ago"],
  ])("%i seconds ago reads %s", (seconds, text) => {
    expect(formatRelative(ago(seconds), now)).toBe(text);
  });

  it("handles the future", () => {
    expect(formatRelative(new Date(now.getTime() + 2 * 3600_000), now)).toBe("in 2 hours");
  });
});
