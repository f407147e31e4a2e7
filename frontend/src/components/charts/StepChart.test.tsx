import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { StepChart, type StepPoint } from "./StepChart";

const from = new Date("2025-06-01T00:00:00Z");
const to = new Date("2025-06-11T00:00:00Z");
const at = (day: number) => new Date(from.getTime() + day * 86_400_000);
const point = (day: number, value: number | null): StepPoint => ({
  time: at(day),
  value,
  tone: "tone-fair",
  label: `day ${day}: ${value ?? "no score"}`,
});

function chart(points: StepPoint[]) {
  render(
    <StepChart title="Score over 10 days" description="test series" points={points} from={from} to={to} />,
  );
  return screen.getByRole("img", { name: "Score over 10 days" });
}

describe("StepChart", () => {
  it("draws one marker per point and a step line held until the end", () => {
    const svg = chart([point(0, 100), point(2, 80), point(5, 50), point(9, 90)]);

    expect(svg.querySelectorAll("circle.chart-point")).toHaveLength(4);
    const d = svg.querySelector("path.chart-line")!.getAttribute("d")!;
    // One move, then a horizontal and a vertical step per later point, then hold to `to`.
    expect(d.match(/M/g)).toHaveLength(1);
    expect(d.match(/V/g)).toHaveLength(3);
    expect(d.trim().endsWith("H628")).toBe(true);
    expect(svg.getAttribute("aria-describedby")).toBeTruthy();
    expect(svg.querySelector("desc")!.textContent).toBe("test series");
    expect([...svg.querySelectorAll("circle title")].map((t) => t.textContent)).toEqual([
      "day 0: 100",
      "day 2: 80",
      "day 5: 50",
      "day 9: 90",
    ]);
  });

  it("breaks the line at a point without a value but still marks it", () => {
    const svg = chart([point(0, 90), point(3, null), point(6, 70)]);

    expect(svg.querySelectorAll("circle.chart-point")).toHaveLength(3);
    expect(svg.querySelectorAll("circle.chart-point-empty")).toHaveLength(1);
    expect(svg.querySelector("path.chart-line")!.getAttribute("d")!.match(/M/g)).toHaveLength(2);
  });

  it("clamps points before the window to its start", () => {
    const svg = chart([point(-30, 60), point(4, 65)]);
    expect(svg.querySelector("circle.chart-point")!.getAttribute("cx")).toBe("34");
  });
});
