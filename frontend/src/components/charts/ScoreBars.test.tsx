import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ScoreBars } from "./ScoreBars";

describe("ScoreBars", () => {
  it("draws one bar per score, markers where given, and the reference line at its value", () => {
    render(
      <ScoreBars
        title="Scores"
        description="three organisations"
        reference={{ value: 50, label: "median 50" }}
        bars={[
          { label: "A very long organisation name that goes on", value: 25, tone: "tone-critical", marker: 40, title: "A" },
          { label: "Beta", value: 100, tone: "tone-healthy", title: "B" },
          { label: "Gamma", value: 130, tone: "tone-healthy", title: "C" },
        ]}
      />,
    );
    const svg = screen.getByRole("img", { name: "Scores" });
    expect(svg.querySelector("desc")!.textContent).toBe("three organisations");
    // The bars start at x = 150 and 100 points span 454 units.
    const widths = [...svg.querySelectorAll("rect.score-bar-fill")].map((r) => Number(r.getAttribute("width")));
    expect(widths).toEqual([113.5, 454, 454]);
    const markers = svg.querySelectorAll("line.score-bar-marker");
    expect(markers).toHaveLength(1);
    expect(markers[0]!.getAttribute("x1")).toBe("331.6");
    expect(svg.querySelector("line.chart-reference-line")!.getAttribute("x1")).toBe("377");
    expect(svg.querySelector(".score-bar-label")!.textContent).toBe("A very long organisat…");
  });
});
