import type { ZodError } from 'zod';
import type { FieldIssue } from '../domain/errors';

/** RFC 6901 pointer for a path of keys and indexes. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

type Issue = ZodError['issues'][number];

/**
 * The one branch of a failed union the value was meant for: the only one whose problems are all inside the value
 * (no unknown key and no wrong type at the union's own level). `{"agentId": "a"}` against "a record or
 * `{records}`" is a record missing its fields, not a bulk with an unknown key. Null when none or several are.
 */
function meantBranch(branches: readonly (readonly Issue[])[]): readonly Issue[] | null {
  const inside = branches.filter((issues) =>
    issues.every((i) => i.path.length > 0 || (i.code !== 'unrecognized_keys' && i.code !== 'invalid_type')),
  );
  return inside.length === 1 ? (inside[0] ?? null) : null;
}

/** One issue per offending field, as RFC 6901 pointers into the part named by `where`; unknown keys get their own. */
export function zodFieldIssues(error: ZodError, where: FieldIssue['in'] = 'body'): FieldIssue[] {
  return fieldIssues(error.issues, where);
}

function fieldIssues(issues: readonly Issue[], where: FieldIssue['in']): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'invalid_union') {
      const branch = meantBranch(issue.errors);
      if (branch) return fieldIssues(branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] })) as Issue[], where);
    }
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
