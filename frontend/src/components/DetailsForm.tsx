import { useState, type FormEvent } from "react";
import { TextArea, TextField } from "./Fields";
import { ErrorMessage } from "./Feedback";

/** DetailsForm edits a name and a description (organisations and groups). */
export function DetailsForm({
  label,
  nameLabel,
  initialName,
  initialDescription,
  pending,
  error,
  onSave,
  onCancel,
}: {
  label: string;
  nameLabel: string;
  initialName: string;
  initialDescription: string;
  pending: boolean;
  error: unknown;
  onSave: (name: string, description: string) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initialName);
  const [description, setDescription] = useState(initialDescription);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave(name.trim(), description.trim());
  };
  return (
    <form className="form" onSubmit={submit} aria-label={label}>
      <TextField label={nameLabel} required maxLength={200} autoFocus value={name} onChange={(e) => setName(e.target.value)} />
      <TextArea label="Description" maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      <ErrorMessage error={error} />
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? "Saving…" : "Save changes"}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
