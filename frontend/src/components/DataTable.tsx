import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type OnChangeFn,
  type RowData,
  type SortingState,
  type VisibilityState,
} from "@tanstack/react-table";
import { useId, useMemo, useState, type ReactNode, type UIEvent } from "react";
import { Empty } from "./Feedback";

declare module "@tanstack/react-table" {
  // The type parameters must match the library's declaration.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Class of the column's header and cells ("num" right-aligns numbers, "mono", "actions"). */
    className?: string;
    /** Names the column in the column chooser when its header is not plain text. */
    label?: string;
  }
}

/** Columns is the column list a DataTable takes (any value type per column). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Columns<T> = ColumnDef<T, any>[];

/** Paging is keyset paging: the server's next page token, behind a "Load more" button. */
export interface Paging {
  hasNextPage: boolean;
  fetching: boolean;
  onLoad: () => void;
}

/** VIRTUALISE_OVER is the row count above which a table renders only the rows in view. */
export const VIRTUALISE_OVER = 200;
/** ROW_HEIGHT is the height (px) the windowing assumes for one row. */
const ROW_HEIGHT = 41;
/** VIEWPORT_ROWS is how many rows a windowed table's scroll area shows. */
const VIEWPORT_ROWS = 20;
const OVERSCAN = 10;

const storageKey = (key: string) => `wegweiser.columns.${key}`;

function loadVisibility(key: string | undefined, defaultHidden: string[]): VisibilityState {
  const defaults = Object.fromEntries(defaultHidden.map((id) => [id, false]));
  if (!key) return defaults;
  try {
    const raw = localStorage.getItem(storageKey(key));
    const parsed: unknown = raw ? JSON.parse(raw) : defaults;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === "boolean")) as VisibilityState;
    }
  } catch {
    // A broken entry shows every column.
  }
  return {};
}

/**
 * DataTable is the one table of the dashboard (TanStack Table): sortable
 * column headers, an optional text filter, keyset paging ("Load more"),
 * column choice remembered in localStorage (columnsKey), an empty state and
 * windowing for long lists. It scrolls inside its card on narrow screens.
 *
 * Sorting and filtering work on the loaded rows unless the caller passes
 * `sorting`/`onSortingChange` with `manualSorting` (the server sorts).
 */
export function DataTable<T>({
  data,
  columns,
  label,
  getRowId,
  empty = "Nothing here yet.",
  compact = false,
  className,
  filterLabel,
  columnsKey,
  defaultHidden = [],
  paging,
  sorting: controlledSorting,
  onSortingChange,
  manualSorting = false,
  initialSorting = [],
  virtualiseOver = VIRTUALISE_OVER,
  rowProps,
}: {
  data: T[];
  columns: Columns<T>;
  /** Names the table for screen readers (its caption). */
  label: string;
  getRowId?: (row: T, index: number) => string;
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode;
  compact?: boolean;
  className?: string;
  /** Shows a text filter over the loaded rows, labelled with this text. */
  filterLabel?: string;
  /** Offers column choice, remembered under this key. */
  columnsKey?: string;
  /** Columns hidden until someone shows them (column choice). */
  defaultHidden?: string[];
  paging?: Paging;
  sorting?: SortingState;
  onSortingChange?: OnChangeFn<SortingState>;
  manualSorting?: boolean;
  initialSorting?: SortingState;
  virtualiseOver?: number;
  /** Attributes of a row (a class, an id to link to). */
  rowProps?: (row: T) => { className?: string; id?: string };
}) {
  const [ownSorting, setOwnSorting] = useState<SortingState>(initialSorting);
  const sorting = controlledSorting ?? ownSorting;
  const [filter, setFilter] = useState("");
  const [visibility, setVisibility] = useState<VisibilityState>(() => loadVisibility(columnsKey, defaultHidden));
  const [scrollTop, setScrollTop] = useState(0);
  const filterId = useId();

  // TanStack Table returns functions React's compiler cannot memoise; this component is not compiled, which is fine.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data,
    columns,
    getRowId,
    state: { sorting, globalFilter: filter, columnVisibility: visibility },
    onSortingChange: onSortingChange ?? setOwnSorting,
    onGlobalFilterChange: setFilter,
    onColumnVisibilityChange: (updater) => {
      setVisibility((prev) => {
        const next = typeof updater === "function" ? updater(prev) : updater;
        if (columnsKey) localStorage.setItem(storageKey(columnsKey), JSON.stringify(next));
        return next;
      });
    },
    manualSorting,
    enableSortingRemoval: false,
    // Ascending first, also for numbers: for scores that is worst first.
    sortDescFirst: false,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
  });

  const rows = table.getRowModel().rows;
  const windowed = rows.length > virtualiseOver;
  const range = useMemo(() => {
    if (!windowed) return { start: 0, end: rows.length };
    const start = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
    return { start, end: Math.min(rows.length, start + VIEWPORT_ROWS + 2 * OVERSCAN) };
  }, [windowed, scrollTop, rows.length]);
  const visibleColumns = table.getVisibleLeafColumns().length;

  if (data.length === 0 && !paging?.hasNextPage) return <Empty>{empty}</Empty>;

  const hideable = table.getAllLeafColumns().filter((c) => c.getCanHide());
  return (
    <div className={`data-table ${className ?? ""}`}>
      {(filterLabel || (columnsKey && hideable.length > 0)) && (
        <div className="data-table-tools">
          {filterLabel && (
            <div className="field field-inline">
              <label htmlFor={filterId}>{filterLabel}</label>
              <input
                id={filterId}
                type="search"
                value={filter}
                placeholder="Type to filter…"
                onChange={(e) => setFilter(e.target.value)}
              />
            </div>
          )}
          {columnsKey && hideable.length > 0 && (
            <details className="column-chooser">
              <summary className="btn btn-small">Columns</summary>
              <fieldset>
                <legend className="sr-only">Columns to show</legend>
                {hideable.map((c) => (
                  <label key={c.id} className="checkbox">
                    <input type="checkbox" checked={c.getIsVisible()} onChange={c.getToggleVisibilityHandler()} />
                    {c.columnDef.meta?.label ?? (typeof c.columnDef.header === "string" ? c.columnDef.header : c.id)}
                  </label>
                ))}
              </fieldset>
            </details>
          )}
        </div>
      )}
      <div
        className={`table-wrap${windowed ? " table-windowed" : ""}`}
        style={windowed ? { maxHeight: ROW_HEIGHT * (VIEWPORT_ROWS + 1) } : undefined}
        onScroll={windowed ? (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop) : undefined}
        tabIndex={windowed ? 0 : undefined}
        role={windowed ? "region" : undefined}
        aria-label={windowed ? label : undefined}
      >
        <table className={`table${compact ? " table-compact" : ""}`} aria-label={label}>
          <caption className="sr-only">{label}</caption>
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  const content = flexRender(h.column.columnDef.header, h.getContext());
                  return (
                    <th
                      key={h.id}
                      scope="col"
                      className={h.column.columnDef.meta?.className}
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                    >
                      {h.column.getCanSort() ? (
                        <button type="button" className="sort-button" onClick={h.column.getToggleSortingHandler()}>
                          {content}
                          <span className="sort-mark" aria-hidden="true">
                            {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}
                          </span>
                        </button>
                      ) : (
                        content
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {range.start > 0 && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={visibleColumns} style={{ height: range.start * ROW_HEIGHT }} />
              </tr>
            )}
            {rows.slice(range.start, range.end).map((row) => (
              <tr key={row.id} {...rowProps?.(row.original)}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={cell.column.columnDef.meta?.className}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
            {range.end < rows.length && (
              <tr aria-hidden="true" className="spacer">
                <td colSpan={visibleColumns} style={{ height: (rows.length - range.end) * ROW_HEIGHT }} />
              </tr>
            )}
          </tbody>
        </table>
        {rows.length === 0 && data.length > 0 && <Empty>No row matches “{filter}”.</Empty>}
      </div>
      {paging?.hasNextPage && (
        <div className="load-more">
          <button type="button" className="btn" onClick={paging.onLoad} disabled={paging.fetching}>
            {paging.fetching ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </div>
  );
}
