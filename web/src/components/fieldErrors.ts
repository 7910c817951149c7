import type { FormInstance } from 'antd';
import { ApiError } from '../api/client.ts';

/**
 * Puts the API's problems (`details[]` with a JSON path such as `/new`) at the form's fields of the
 * same name (the API answers in the person's language); answers whether any was placed (else show the whole error).
 */
export function placeFieldErrors(form: FormInstance, err: unknown, fields: readonly string[]): boolean {
  if (!(err instanceof ApiError)) return false;
  const byField = new Map<string, string[]>();
  for (const p of err.problems) {
    const name = p.path?.replace(/^\//, '');
    if (!name || !fields.includes(name)) continue;
    byField.set(name, [...(byField.get(name) ?? []), p.message]);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return byField.size > 0;
}
