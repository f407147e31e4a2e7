import { useId, useRef, type KeyboardEvent, type ReactNode } from "react";

/** Tab is one entry of a tab list. */
export interface Tab {
  id: string;
  label: string;
}

/**
 * Tabs is an accessible tab list (arrow keys, Home, End) with one panel:
 * only the selected tab's content is rendered, so each tab loads on demand.
 */
export function Tabs({
  label,
  tabs,
  selected,
  onSelect,
  children,
}: {
  /** Names the tab list for screen readers. */
  label: string;
  tabs: Tab[];
  selected: string;
  onSelect: (id: string) => void;
  /** The selected tab's content. */
  children: ReactNode;
}) {
  const base = useId();
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const current = tabs.find((t) => t.id === selected) ?? tabs[0];

  const onKeyDown = (e: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === current?.id);
    const next =
      e.key === "ArrowRight"
        ? tabs[(i + 1) % tabs.length]
        : e.key === "ArrowLeft"
          ? tabs[(i - 1 + tabs.length) % tabs.length]
          : e.key === "Home"
            ? tabs[0]
            : e.key === "End"
              ? tabs[tabs.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    onSelect(next.id);
    buttons.current.get(next.id)?.focus();
  };

  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} className="tab-list" onKeyDown={onKeyDown}>
        {tabs.map((t) => {
          const active = t.id === current?.id;
          return (
            <button
              key={t.id}
              ref={(el) => {
                if (el) buttons.current.set(t.id, el);
                else buttons.current.delete(t.id);
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${t.id}`}
              aria-selected={active}
              aria-controls={active ? `${base}-panel` : undefined}
              tabIndex={active ? 0 : -1}
              className="tab"
              onClick={() => onSelect(t.id)}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${current?.id}`} className="tab-panel">
        {children}
      </div>
    </div>
  );
}
