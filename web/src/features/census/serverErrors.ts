import type { ErrorSchema } from '@rjsf/utils';
import type { Problem } from '../../api/client.ts';

/** The API's problems (JSON pointers into the body) as react-jsonschema-form's errors at those fields; those with no field come back as `rest`. */
export function problemsToErrorSchema(problems: Problem[]): { errors: ErrorSchema; rest: string[] } {
  const errors: Record<string, unknown> = {};
  const rest: string[] = [];
  for (const p of problems) {
    // the API answers in the person's language
    const text = p.message;
    if (p.path === undefined || p.path === '' || (p.in !== undefined && p.in !== 'body')) {
      rest.push(text);
      continue;
    }
    const segments = p.path.replace(/^\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node = errors;
    for (const s of segments) node = (node[s] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(text);
  }
  return { errors: errors as ErrorSchema, rest };
}
