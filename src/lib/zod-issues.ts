import type { ZodError } from 'zod';
import type { FieldIssue } from '../domain/errors';

/** RFC 6901 pointer for a path of keys and indexes. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** One issue per offending field, as RFC 6901 pointers into the part named by `where`; unknown keys get their own. */
export function zodFieldIssues(error: ZodError, where: FieldIssue['in'] = 'body'): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        in: where,
        pointer: jsonPointer([...issue.path, key]),
        detail: `Unknown field '${key}'.`,
      }));
    }
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return [{ in: where, pointer: jsonPointer(issue.path), detail: missing ? 'Required.' : issue.message }];
  });
}
