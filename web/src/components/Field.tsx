import { useId, type ReactElement } from 'react';

/** A labelled control: the label names only the field (its `for` points at the control's id), so screen readers and tests find it by its name. */
export function Field({ label, children }: { label: string; children: (id: string) => ReactElement }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
    </div>
  );
}
