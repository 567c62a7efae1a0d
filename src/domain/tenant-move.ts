/**
 * Moving a tenant's data between databases (docs/dedicated-databases.md): the steps, in order, and the state a
 * move keeps between them. Each step is idempotent, so a step cut short (a restart, a timeout) runs again.
 *
 * - `migrate`: the target database (a tenant's own) gets every migration; its application role must not bypass RLS.
 * - `prepare`: whatever the target holds of the tenant (an earlier attempt, an earlier stay) is deleted; the tenant
 *   is `incoming` there, so nothing but the move reads or writes it.
 * - `fence`: the source marks the tenant `moving`, once every transaction under way has ended: from then on its
 *   transactions are read only. Writes are refused and retried (the Durable Objects' outboxes hold the events).
 * - `copy`: every table of the tenant, in foreign-key order, in pages by primary key.
 * - `verify`: the number of rows of each table, source against target; a difference fails the move.
 * - `switch`: the target becomes `home`, the route in the shared database points at it, the source says `moved`.
 * - `purge`: the tenant's rows leave the source (its `tenants` row stays, saying `moved`).
 */
export const MOVE_STEPS = ['migrate', 'prepare', 'fence', 'copy', 'verify', 'switch', 'purge', 'done'] as const;
export type MoveStep = (typeof MOVE_STEPS)[number] | 'failed';

/** A database a move reads or writes: a tenant's own (its URLs sealed under the platform keys), or the shared one. */
export type MoveEnd =
  | { kind: 'shared' }
  | { kind: 'dedicated'; databaseUrlSealed: string; migrationUrlSealed: string; host: string; database: string };

export interface TableProgress {
  table: string;
  /** Rows copied so far. */
  rows: number;
  /** Rows of the tenant in the source and in the target, once verified. */
  sourceRows?: number;
  targetRows?: number;
}

/** A row's primary key, column by column, as JSON values. */
export type PrimaryKey = Record<string, string | number | boolean | null>;

export interface MoveState {
  id: string;
  tenantId: string;
  /** `move`: to another database; `migrate`: only apply pending migrations to the tenant's own database. */
  kind: 'move' | 'migrate';
  source: MoveEnd;
  target: MoveEnd;
  step: MoveStep;
  migrations: { applied: number; total: number } | null;
  tables: TableProgress[];
  /** Rows of the tenant removed from the source after the switch (purge). */
  removedRows: number;
  /** Where the copy or purge goes on from: the table's index in `tables` and the last primary key done. */
  cursor: { table: number; after: PrimaryKey | null } | null;
  startedAt: string;
  finishedAt: string | null;
  /** Failed attempts of the current step in a row (reset when a step completes). */
  attempts: number;
  /** The last failure (the move goes on retrying until `MAX_ATTEMPTS`, then fails). */
  error: { code: string; message: string } | null;
}

/** Attempts of one step before a move is given up (the source is then at home again, untouched). */
export const MAX_ATTEMPTS = 8;

/** Retry delay after `attempts` failures of a step: 1 s doubling to a minute. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

/** The step after `step` in a move of `kind` (a migration alone ends after `migrate`). */
export function nextStep(kind: MoveState['kind'], step: MoveStep): MoveStep {
  if (step === 'failed' || step === 'done') return step;
  if (kind === 'migrate') return 'done';
  return MOVE_STEPS[MOVE_STEPS.indexOf(step) + 1] ?? 'done';
}

/** Whether a move has reached the switch: before it, giving up leaves the tenant where it was. */
export function isSwitched(step: MoveStep): boolean {
  return step === 'purge' || step === 'done';
}

export function isFinished(step: MoveStep): boolean {
  return step === 'done' || step === 'failed';
}

export function newMove(input: {
  id: string;
  tenantId: string;
  kind: MoveState['kind'];
  source: MoveEnd;
  target: MoveEnd;
  now: Date;
}): MoveState {
  const { now, ...rest } = input;
  return {
    ...rest,
    step: input.kind === 'move' && input.target.kind === 'shared' ? 'prepare' : 'migrate',
    migrations: null,
    tables: [],
    removedRows: 0,
    cursor: null,
    startedAt: now.toISOString(),
    finishedAt: null,
    attempts: 0,
    error: null,
  };
}

/**
 * Orders tables so that every table comes after those it refers to (`refs`); a reference to a table outside the
 * list, or to itself, is ignored. Throws on a cycle: such tables cannot be copied row by row.
 */
export function foreignKeyOrder(tables: readonly { name: string; refs: readonly string[] }[]): string[] {
  const names = new Set(tables.map((t) => t.name));
  const deps = new Map(tables.map((t) => [t.name, t.refs.filter((r) => r !== t.name && names.has(r))]));
  const done = new Set<string>();
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (done.has(name)) return;
    if (visiting.has(name)) throw new Error(`tables refer to each other in a cycle through ${name}`);
    visiting.add(name);
    for (const dep of deps.get(name) ?? []) visit(dep);
    visiting.delete(name);
    done.add(name);
    order.push(name);
  };
  for (const name of [...names].sort()) visit(name);
  return order;
}
