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
  children,
}: {
  label: string;
  confirmLabel: string;
  question: ReactNode;
  onConfirm: () => void;
  pending?: boolean;
  /** Disables the confirming button (e.g. until a required checkbox is ticked). */
  disabled?: boolean;
  /** Extra content inside the confirmation, such as a checkbox. */
  children?: ReactNode;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn btn-danger-outline" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={label}>
      <p>{question}</p>
      {children}
      <div className="confirm-actions">
        <button type="button" className="btn btn-danger" onClick={onConfirm} disabled={pending || disabled}>
          {pending ? "Working…" : confirmLabel}
        </button>
        <button type="button" className="btn" onClick={() => setAsking(false)} disabled={pending}>
          Cancel
        </button>
      </div>
    </div>
  );
}
