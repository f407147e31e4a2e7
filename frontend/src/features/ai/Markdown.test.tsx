import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Markdown, parseBlocks } from "./Markdown";

describe("Markdown", () => {
  it("renders paragraphs, emphasis, inline code, code blocks and lists", () => {
    const { container } = render(
      <Markdown
        text={[
          "First **bold** and *italic* and `code`.",
          "",
          "- one",
          "- two",
          "",
          "3. third",
          "4. fourth",
          "",
          "```",
          "Get-Service | Where Status -eq 'Stopped'",
          "```",
        ].join("\n")}
      />,
    );
    expect(container.querySelector("p strong")?.textContent).toBe("bold");
    expect(container.querySelector("p em")?.textContent).toBe("italic");
    expect(container.querySelector("p code")?.textContent).toBe("code");
    expect([...container.querySelectorAll("ul li")].map((li) => li.textContent)).toEqual(["one", "two"]);
    expect(container.querySelector("ol")?.getAttribute("start")).toBe("3");
    expect(container.querySelector("pre code")?.textContent).toBe("Get-Service | Where Status -eq 'Stopped'");
  });

  it("never turns text into HTML elements, images or links", () => {
    const text = [
      '<img src=x onerror=alert(1)> and <script>alert(2)</script>',
      "",
      "[x](http://evil) and ![pic](http://evil/p.png) and <a href=\"http://evil\">here</a>",
      "",
      "- **<b>bold</b>** <iframe src=http://evil></iframe>",
      "",
      "```",
      "<img src=y>",
      "```",
    ].join("\n");
    const { container } = render(<Markdown text={text} />);
    expect(container.querySelectorAll("img, a, script, iframe, b").length).toBe(0);
    // The text is all there, as text.
    expect(container.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(container.textContent).toContain("x (http://evil)");
    expect(container.textContent).toContain("pic (http://evil/p.png)");
    expect(container.textContent).toContain("<img src=y>");
  });

  it("turns [n] markers into chips only for known citations", () => {
    const { container } = render(
      <Markdown
        text="Disk is full [1] and see [2, 3] and [9]."
        cite={(n, key) =>
          n <= 3 ? (
            <span key={key} className="chip">
              {n}
            </span>
          ) : null
        }
      />,
    );
    expect([...container.querySelectorAll(".chip")].map((c) => c.textContent)).toEqual(["1", "2", "3"]);
    expect(container.textContent).toContain("[9]");
  });

  it("keeps continuation lines with their list item", () => {
    expect(parseBlocks("- one\n  more\n- two")).toEqual([{ type: "list", ordered: false, start: 1, items: ["one more", "two"] }]);
  });

  it("shows escaped punctuation as itself, not as markup", () => {
    const { container } = render(<Markdown text={"mpssvc \\(stopped\\), \\*not bold\\* and \\[1\\]"} cite={() => <b key="c">chip</b>} />);
    expect(container.textContent).toBe("mpssvc (stopped), *not bold* and [1]");
    expect(container.querySelector("strong, em, b")).toBeNull();
  });
});
