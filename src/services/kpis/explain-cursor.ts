import { invalid } from '../../domain/errors';
import type { ExplainKind } from '../../domain/kpi/explain';
import { decodeJsonCursor, encodeJsonCursor } from '../../lib/cursor';

/** Where the previous page of an explanation ended: the kind of record listed, and the (instant, id) of its last one. */
export interface ExplainCursor {
  kind: ExplainKind;
  at: number;
  id: string;
}

const KIND_CODE: Record<ExplainKind, string> = { visit: 'v', segment: 's', interval: 'i', interaction: 'c', call: 'r' };
const KINDS = Object.keys(KIND_CODE) as ExplainKind[];

const notOurs = (detail = 'Not a cursor this API issued.') => invalid([{ in: 'query', pointer: '/cursor', detail }]);

/** Opaque to clients: base64url of UTF-8 JSON `[kind, epoch ms, record id]`. */
export function encodeExplainCursor(c: ExplainCursor): string {
  return encodeJsonCursor([KIND_CODE[c.kind], c.at, c.id]);
}

/** A forged or damaged cursor is a 422 on `cursor`; records are compared in memory, so nothing of it reaches SQL. */
export function decodeExplainCursor(cursor: string): ExplainCursor {
  const value = decodeJsonCursor(cursor);
  if (!Array.isArray(value) || value.length !== 3) throw notOurs();
  const [code, at, id] = value as unknown[];
  const kind = KINDS.find((k) => KIND_CODE[k] === code);
  if (!kind || typeof at !== 'number' || !Number.isFinite(at) || typeof id !== 'string' || id.length === 0 || id.length > 1000) {
    throw notOurs();
  }
  return { kind, at, id };
}

/** A cursor continues a listing of the same kind of record (another metric of that kind is the same order). */
export function checkExplainCursorFits(c: ExplainCursor, kind: ExplainKind): void {
  if (c.kind !== kind) throw notOurs(`This cursor continues a listing of ${c.kind} records, not of ${kind} records.`);
}
