import { useState } from "react";
import { TextField } from "./Fields";

/** CopyButton puts a value on the clipboard and says so. */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-small"
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(
          () => setCopied(true),
          () => setCopied(false),
        );
      }}
    >
      {copied ? "Copied" : label}
    </button>
  );
}

/** CopyField shows a read-only value (a token, a link) with a copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  return (
    <div className="copy-field">
      <TextField label={label} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
    </div>
  );
}
