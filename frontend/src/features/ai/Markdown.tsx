import type { ReactNode } from "react";

/**
 * Block is one block of the small Markdown subset answers and narratives are
 * written in: paragraphs, bullet and numbered lists, fenced code.
 */
export type Block =
  | { type: "paragraph"; text: string }
  | { type: "heading"; text: string }
  | { type: "list"; ordered: boolean; start: number; items: string[] }
  | { type: "code"; text: string };

const bullet = /^\s*[-*+]\s+(.*)$/;
const numbered = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const heading = /^\s{0,3}#{1,6}\s+(.*)$/;
const fence = /^\s*(```|~~~)/;

/** parseBlocks splits Markdown text into blocks. It never interprets HTML. */
export function parseBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const out: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push({ type: "paragraph", text: para.join(" ") });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (fence.test(line)) {
      flush();
      const marker = fence.exec(line)?.[1] ?? "```";
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? "").trim().startsWith(marker)) code.push(lines[i++] ?? "");
      out.push({ type: "code", text: code.join("\n") });
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const h = heading.exec(line);
    if (h) {
      flush();
      out.push({ type: "heading", text: h[1] ?? "" });
      continue;
    }
    const b = bullet.exec(line);
    const n = numbered.exec(line);
    if (b || n) {
      flush();
      const ordered = !b;
      const last = out[out.length - 1];
      const item = (b ? b[1] : n?.[2]) ?? "";
      if (last?.type === "list" && last.ordered === ordered) last.items.push(item);
      else out.push({ type: "list", ordered, start: n ? Number(n[1]) : 1, items: [item] });
      continue;
    }
    // A continuation line of a list item (indented) joins the item.
    const last = out[out.length - 1];
    if (para.length === 0 && last?.type === "list" && /^\s+\S/.test(line)) {
      last.items[last.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    para.push(line.trim());
  }
  flush();
  return out;
}

/** RenderCitation turns citation number n into a chip, or null when the answer has no such citation. */
export type RenderCitation = (n: number, key: string) => ReactNode | null;

// Order matters: backslash escapes ("\\(" is "(", "\\[1]" is no citation),
// code (nothing inside it is interpreted), links and images (shown as plain
// text), citations, bold, italics.
const inline =
  /(\\[\\`*_[\]()<>#|!~{}.+-])|(`[^`\n]+`)|(!?\[[^\]\n]*\]\([^)\n]*\))|(\[\d{1,3}(?:\s*,\s*\d{1,3})*\])|(\*\*[^\n]+?\*\*|__[^\n]+?__)|(\*[^*\s](?:[^*\n]*[^*\s])?\*|\b_[^_\s](?:[^_\n]*[^_\s])?_\b)/g;

/**
 * renderInline renders inline Markdown as React nodes: `code`, **bold**,
 * *italics*, [n] citations, backslash escapes. Links and images are kept as plain text (their
 * text and address), never as anchors or images; any HTML stays text.
 */
export function renderInline(text: string, cite?: RenderCitation, prefix = "i"): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let k = 0;
  for (const m of text.matchAll(inline)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const key = `${prefix}-${k++}`;
    const [all, escaped, code, link, citation, bold, italic] = m;
    if (escaped) {
      out.push(escaped.slice(1));
    } else if (code) {
      out.push(<code key={key}>{code.slice(1, -1)}</code>);
    } else if (link) {
      const lm = /^!?\[([^\]]*)\]\(([^)]*)\)$/.exec(link);
      const label = lm?.[1] ?? "";
      const href = lm?.[2] ?? "";
      out.push(label && label !== href ? `${label} (${href})` : href);
    } else if (citation) {
      const numbers = citation.slice(1, -1).split(",").map((s) => Number(s.trim()));
      const chips = numbers.map((n, j) => cite?.(n, `${key}-${j}`) ?? null);
      if (chips.every((c) => c !== null)) out.push(...chips);
      else out.push(citation);
    } else if (bold) {
      out.push(<strong key={key}>{renderInline(bold.slice(2, -2), cite, key)}</strong>);
    } else if (italic) {
      out.push(<em key={key}>{renderInline(italic.slice(1, -1), cite, key)}</em>);
    } else {
      out.push(all);
    }
    last = at + all.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * Markdown renders the Markdown subset of answers and narratives as React
 * elements. Everything reaches the DOM as text: no raw HTML, no images, no
 * links (addresses are shown as plain text); [n] markers become citation
 * chips through cite.
 */
export function Markdown({ text, cite, className }: { text: string; cite?: RenderCitation; className?: string }) {
  const blocks = parseBlocks(text);
  return (
    <div className={`markdown ${className ?? ""}`}>
      {blocks.map((b, i) => {
        const key = `b${i}`;
        switch (b.type) {
          case "code":
            return (
              <pre key={key}>
                <code>{b.text}</code>
              </pre>
            );
          case "heading":
            return (
              <p key={key} className="markdown-heading">
                <strong>{renderInline(b.text, cite, key)}</strong>
              </p>
            );
          case "list": {
            const items = b.items.map((item, j) => <li key={j}>{renderInline(item, cite, `${key}-${j}`)}</li>);
            return b.ordered ? (
              <ol key={key} start={b.start === 1 ? undefined : b.start}>
                {items}
              </ol>
            ) : (
              <ul key={key}>{items}</ul>
            );
          }
          default:
            return <p key={key}>{renderInline(b.text, cite, key)}</p>;
        }
      })}
    </div>
  );
}
