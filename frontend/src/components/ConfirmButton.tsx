import { useState, type ReactNode } from "react";

/**
 * ConfirmButton asks before doing something that cannot be undone: the first
 * click shows a confirmation with its own button.
 */
export function ConfirmButton({
  label,
  confirmLabel,
  question,
  onConfirm,
  pending,
  disabled,
  small,
  srLabel,
  children,
}: {
  label: string;
  confirmLabel: string;
  question: ReactNode;
  onConfirm: () => void;
  pending?: boolean;
  /** Disables the confirming button (e.g. until a required checkbox is ticked). */
  disabled?: boolean;
  /** A smaller button, e.g. inside a table row. */
  small?: boolean;
  /** Extra words for screen readers after the label, e.g. which row the button acts on. */
  srLabel?: string;
  /** Extra content inside the confirmation, such as a checkbox. */
  children?: ReactNode;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button
        type="button"
        className={`btn btn-danger-outline${small ? " btn-small" : ""}`}
        onClick={() => setAsking(true)}
      >
        {label}
        {srLabel && <span className="sr-only"> {srLabel}</span>}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={srLabel ? `${label} ${srLabel}` : label}>
      <p>{question}</p>
      {children}
      <div className="confirm-actions">
        <button type="button" className={`btn btn-danger${small ? " btn-small" : ""}`} onClick={onConfirm} disabled={pending || disabled}>
          {pending ? "Working…" : confirmLabel}
        </button>
        <button
          type="button"
          className={`btn${small ? " btn-small" : ""}`}
          onClick={() => setAsking(false)}
          disabled={pending}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
