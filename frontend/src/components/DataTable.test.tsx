import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { DataTable, VIRTUALISE_OVER, type Columns } from "./DataTable";
import { QueryState } from "./Feedback";

interface Row {
  id: string;
  name: string;
  score: number;
}

const columns: Columns<Row> = [
  { id: "name", header: "Name", accessorFn: (r) => r.name, enableHiding: false },
  { id: "score", header: "Score", accessorFn: (r) => r.score, meta: { className: "num" } },
];

const rows: Row[] = [
  { id: "a", name: "beta", score: 70 },
  { id: "b", name: "alpha", score: 40 },
  { id: "c", name: "gamma", score: 100 },
];

function names() {
  return within(screen.getByRole("table", { name: "Things" }))
    .getAllByRole("row")
    .slice(1)
    .map((r) => within(r).getAllByRole("cell")[0]?.textContent);
}

describe("DataTable", () => {
  it("sorts by a column header, both ways, and says so to screen readers", () => {
    render(<DataTable label="Things" data={rows} columns={columns} getRowId={(r) => r.id} />);
    expect(names()).toEqual(["beta", "alpha", "gamma"]);

    fireEvent.click(screen.getByRole("button", { name: /Score/ }));
    expect(names()).toEqual(["alpha", "beta", "gamma"]);
    expect(screen.getByRole("columnheader", { name: /Score/ }).getAttribute("aria-sort")).toBe("ascending");

    fireEvent.click(screen.getByRole("button", { name: /Score/ }));
    expect(names()).toEqual(["gamma", "beta", "alpha"]);
    expect(screen.getByRole("columnheader", { name: /Score/ }).getAttribute("aria-sort")).toBe("descending");
  });

  it("leaves sorting to the server when asked, reporting the new order", () => {
    const onSortingChange = vi.fn();
    render(
      <DataTable
        label="Things"
        data={rows}
        columns={columns}
        manualSorting
        sorting={[{ id: "name", desc: false }]}
        onSortingChange={onSortingChange}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: /Score/ }));
    // The rows stay as the server sent them until it answers.
    expect(names()).toEqual(["beta", "alpha", "gamma"]);
    const updater = onSortingChange.mock.calls[0]?.[0] as (old: unknown) => unknown;
    expect(typeof updater === "function" ? updater([{ id: "name", desc: false }]) : updater).toEqual([
      { id: "score", desc: false },
    ]);
  });

  it("filters the loaded rows and says when nothing matches", () => {
    render(<DataTable label="Things" data={rows} columns={columns} filterLabel="Filter things" />);
    fireEvent.change(screen.getByLabelText("Filter things"), { target: { value: "alp" } });
    expect(names()).toEqual(["alpha"]);
    fireEvent.change(screen.getByLabelText("Filter things"), { target: { value: "zzz" } });
    expect(screen.getByText("No row matches “zzz”.")).toBeTruthy();
  });

  it("loads the next page with Load more while the server has one", () => {
    const onLoad = vi.fn();
    const { rerender } = render(
      <DataTable label="Things" data={rows} columns={columns} paging={{ hasNextPage: true, fetching: false, onLoad }} />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(onLoad).toHaveBeenCalledTimes(1);
    rerender(<DataTable label="Things" data={rows} columns={columns} paging={{ hasNextPage: true, fetching: true, onLoad }} />);
    expect((screen.getByRole("button", { name: "Loading…" }) as HTMLButtonElement).disabled).toBe(true);
    rerender(<DataTable label="Things" data={rows} columns={columns} paging={{ hasNextPage: false, fetching: false, onLoad }} />);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("hides and shows columns, and remembers the choice", () => {
    const { unmount } = render(<DataTable label="Things" data={rows} columns={columns} columnsKey="things" />);
    const score = screen.getByRole("checkbox", { name: "Score" });
    // A column that may not be hidden is not offered.
    expect(screen.queryByRole("checkbox", { name: "Name" })).toBeNull();
    fireEvent.click(score);
    expect(screen.queryByRole("columnheader", { name: /Score/ })).toBeNull();
    expect(JSON.parse(localStorage.getItem("wegweiser.columns.things") ?? "{}")).toEqual({ score: false });
    unmount();

    render(<DataTable label="Things" data={rows} columns={columns} columnsKey="things" />);
    expect(screen.queryByRole("columnheader", { name: /Score/ })).toBeNull();
    fireEvent.click(screen.getByRole("checkbox", { name: "Score" }));
    expect(screen.getByRole("columnheader", { name: /Score/ })).toBeTruthy();
  });

  it("hides default-hidden columns until chosen", () => {
    render(<DataTable label="Things" data={rows} columns={columns} columnsKey="things2" defaultHidden={["score"]} />);
    expect(screen.queryByRole("columnheader", { name: /Score/ })).toBeNull();
    expect((screen.getByRole("checkbox", { name: "Score" }) as HTMLInputElement).checked).toBe(false);
  });

  it("shows its empty state instead of an empty table", () => {
    render(<DataTable label="Things" data={[]} columns={columns} empty="Nothing to see." />);
    expect(screen.getByText("Nothing to see.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("renders only a window of the rows of a long list", () => {
    const many = Array.from({ length: VIRTUALISE_OVER * 5 }, (_, i) => ({ id: String(i), name: `host-${i}`, score: i }));
    render(<DataTable label="Things" data={many} columns={columns} />);
    const rendered = names().filter(Boolean);
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(100);
    expect(rendered[0]).toBe("host-0");
    // The scroll area is named and keyboard-reachable.
    const region = screen.getByRole("region", { name: "Things" });
    expect(region.tabIndex).toBe(0);
    fireEvent.scroll(region, { target: { scrollTop: 41 * 500 } });
    expect(names()).toContain("host-500");
    expect(names()).not.toContain("host-0");
  });
});

describe("QueryState", () => {
  const ok = (data: string[]) => ({ isPending: false, error: null, data });

  it("shows loading, then the error, then the data or the empty state", () => {
    const child = (d: string[]) => <p>{d.join(",")}</p>;
    const { rerender } = render(
      <QueryState query={{ isPending: true, error: null, data: undefined }} loading="Loading things…">
        {child}
      </QueryState>,
    );
    expect(screen.getByRole("status").textContent).toContain("Loading things…");

    rerender(<QueryState query={{ isPending: false, error: new Error("boom"), data: undefined }}>{child}</QueryState>);
    expect(screen.getByRole("alert").textContent).toContain("Boom");

    rerender(
      <QueryState query={ok([])} isEmpty={(d) => d.length === 0} empty="No things.">
        {child}
      </QueryState>,
    );
    expect(screen.getByText("No things.")).toBeTruthy();

    rerender(
      <QueryState query={ok(["a", "b"])} isEmpty={(d) => d.length === 0} empty="No things.">
        {child}
      </QueryState>,
    );
    expect(screen.getByText("a,b")).toBeTruthy();
  });

  it("keeps the data it had when a refetch fails, with the error above it", () => {
    render(<QueryState query={{ isPending: false, error: new Error("offline"), data: ["a"] }}>{(d) => <p>{d[0]}</p>}</QueryState>);
    expect(screen.getByRole("alert").textContent).toContain("Offline");
    expect(screen.getByText("a")).toBeTruthy();
  });
});
