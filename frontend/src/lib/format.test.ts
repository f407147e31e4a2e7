import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatPercent, formatSpeed, percentOf } from "./format";

describe("format", () => {
  it.each([
    [0n, "0 B"],
    [512n, "512 B"],
    [1536n, "1.5 KB"],
    [3_650_722_201n, "3.4 GB"],
    [999_653_638_144n, "931 GB"],
  ])("formatBytes(%s) is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("formats durations with the two largest units", () => {
    expect(formatDuration(30)).toBe("less than a minute");
    expect(formatDuration(12 * 60)).toBe("12 minutes");
    expect(formatDuration(3 * 86400 + 4 * 3600 + 59)).toBe("3 days 4 hours");
    expect(formatDuration(86400 + 5 * 60)).toBe("1 day");
  });

  it("formats percentages and speeds", () => {
    expect(percentOf(5n, 0n)).toBeUndefined();
    expect(formatPercent(percentOf(1n, 4n)!)).toBe("25 %");
    expect(formatPercent(0.42)).toBe("0.4 %");
    expect(formatSpeed(0n)).toBe("—");
    expect(formatSpeed(100n)).toBe("100 Mbit/s");
    expect(formatSpeed(2500n)).toBe("2.5 Gbit/s");
  });
});
