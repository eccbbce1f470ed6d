import type * as z from 'zod';

/** Per-field messages keyed by the field's path, the way the API reports them in `details.fields`. */
export function fieldErrors(issues: z.core.$ZodIssue[]): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  const add = (path: string, message: string) => (fields[path] ??= []).push(message);
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(path ? `${path}.${key}` : key, 'is not a field this request takes');
    } else {
      add(path || '(request)', issue.message);
    }
  }
  return fields;
}
