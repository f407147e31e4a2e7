import { describe, expect, it } from "vitest";
import { Band } from "../../gen/wegweiser/v1/health_pb";
import { SCORING_MODEL } from "../../test/fake/fixtures";
import healthLabels from "./labels.ts?raw";
import policyLabels from "../policy/labels.ts?raw";
import healthTrend from "./HealthTrend.tsx?raw";
import checksCatalogue from "./ChecksCatalogue.tsx?raw";
import fakeBackend from "../../test/fake-backend.ts?raw";
import fakeHealth from "../../test/fake/fixtures.ts?raw";
import fakeHealthService from "../../test/fake/health.ts?raw";
import { bandOf, bandRange } from "./labels";

/** SCORING_NUMBERS match the ways the SPA once copied the analyzer's numbers. */
const SCORING_NUMBERS: [string, RegExp][] = [
  ["a domain weight", /weight:\s*\d/],
  ["a score compared with a number", /\bscore\s*[<>]=?\s*\d/],
  ["a band range as text", /["'`]\d+\s*[–-]\s*\d+["'`]/],
  ["a band stripe or range bound", /\b(?:from|to|minScore|maxScore):\s*\d/],
  ["a penalty by severity", /\b(?:info|low|medium|high|critical):\s*\d/],
  ["a cap", /\bcap[A-Za-z]*\s*[=:]\s*\d|caps the device at \d/],
];

/** code strips comments: examples in comments are fine. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

describe("scoring numbers", () => {
  it("are not copied into the SPA: weights, bands, penalties and caps come from GetScoringModel", () => {
    const files = { "health/labels.ts": healthLabels, "policy/labels.ts": policyLabels, "HealthTrend.tsx": healthTrend, "ChecksCatalogue.tsx": checksCatalogue, "test/fake-backend.ts": fakeBackend, "test/fake/fixtures.ts": fakeHealth, "test/fake/health.ts": fakeHealthService };
    const found = Object.entries(files).flatMap(([name, source]) =>
      SCORING_NUMBERS.filter(([, re]) => re.test(code(source))).map(([what]) => `${name}: ${what}`),
    );
    expect(found).toEqual([]);
  });

  it("the guard catches the copies the SPA used to have", () => {
    const old = `export const DOMAINS = [{ id: "storage", label: "Storage", weight: 20 }];
      export function bandOf(score: number) { if (score >= 90) return 1; }
      const BANDS = [{ band: 1, range: "90–100" }];
      const stripes = [{ from: 90, to: 100 }];
      const FAIL_PENALTY = { info: 0, low: 3 };`;
    expect(SCORING_NUMBERS.filter(([, re]) => re.test(old)).map(([what]) => what)).toEqual(SCORING_NUMBERS.slice(0, 5).map(([w]) => w));
  });

  it("maps scores to bands by the served ranges", () => {
    const ranges = SCORING_MODEL.bands;
    expect(ranges.length).toBeGreaterThan(0);
    for (const r of ranges) {
      expect(bandOf(ranges, r.minScore)).toBe(r.band);
      expect(bandOf(ranges, r.maxScore)).toBe(r.band);
      expect(bandRange(ranges, r.band)).toBe(`${r.minScore}–${r.maxScore}`);
    }
    expect(bandOf(ranges, 0)).toBe(Band.UNSPECIFIED);
    expect(bandOf(undefined, 95)).toBe(Band.UNSPECIFIED);
  });
});
