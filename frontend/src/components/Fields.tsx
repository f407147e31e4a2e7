import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

type Common = {
  label: string;
  hint?: ReactNode;
  /** A message about this field's value from the server (see splitFieldError), shown beside it. */
  error?: string;
};

/** describedBy joins the ids of a field's hint and error message. */
function describedBy(hintId: string | undefined, errorId: string | undefined): string | undefined {
  return [hintId, errorId].filter(Boolean).join(" ") || undefined;
}

/** FieldMessage is the error message under a field. */
function FieldMessage({ id, error }: { id: string; error?: string }) {
  if (!error) return null;
  return (
    <small id={id} className="field-error">
      {error}
    </small>
  );
}

/** TextField is a labelled input. */
export function TextField({ label, hint, error, className, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field ${error ? "field-invalid " : ""}${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={describedBy(hintId, errorId)} aria-invalid={error ? true : undefined} {...input} />
      {hint && <small id={hintId} className="hint">{hint}</small>}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

/** TextArea is a labelled multi-line input. */
export function TextArea({ label, hint, error, className, ...input }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field ${error ? "field-invalid " : ""}${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        aria-describedby={describedBy(hintId, errorId)}
        aria-invalid={error ? true : undefined}
        rows={3}
        {...input}
      />
      {hint && <small id={hintId} className="hint">{hint}</small>}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}

/** SelectField is a labelled select. */
export function SelectField({
  label,
  hint,
  error,
  className,
  children,
  ...select
}: Common & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field ${error ? "field-invalid " : ""}${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-describedby={describedBy(hintId, errorId)} aria-invalid={error ? true : undefined} {...select}>
        {children}
      </select>
      {hint && <small id={hintId} className="hint">{hint}</small>}
      <FieldMessage id={`${id}-error`} error={error} />
    </div>
  );
}
