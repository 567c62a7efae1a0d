import { AppError, invalid } from '../../domain/errors';
import { decodeJsonCursor, encodeJsonCursor } from '../../lib/cursor';

export const CALL_SORTS = ['firstEventAt', 'enqueuedAt'] as const;
export type CallSort = (typeof CALL_SORTS)[number];
export const SORT_ORDERS = ['desc', 'asc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** Where the previous page ended: the sort it was issued for, and the (sort instant, call id) of its last call. */
export interface CallCursor {
  sort: CallSort;
  order: SortOrder;
  at: number;
  id: string;
}

const SORT_CODE: Record<CallSort, string> = { firstEventAt: 'f', enqueuedAt: 'e' };
const ORDER_CODE: Record<SortOrder, string> = { desc: 'd', asc: 'a' };

/**
 * The instants both sides can hold: Postgres from 4714-11-24 BC (the start of its timestamps), up to
 * the last instant a JavaScript Date can hold (Postgres goes further). Anything else would reach SQL as
 * a value Postgres refuses.
 */
export const MIN_INSTANT_MS = -210_866_803_200_000;
export const MAX_INSTANT_MS = 8_640_000_000_000_000;

/**
 * Interaction ids as the wire schema lets them in (src/domain/events/wire.ts: trimmed, 1–200
 * characters) and as Postgres can store them (no U+0000, no lone surrogate).
 */
function isInteractionId(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    id.length >= 1 &&
    id.length <= 200 &&
    id.trim() === id &&
    !id.includes('\u0000') &&
    !/\p{Cs}/u.test(id)
  );
}

const notOurs = () => invalid([{ in: 'query', pointer: '/cursor', detail: 'Not a cursor this API issued.' }]);

/** Opaque to clients: base64url of UTF-8 JSON `[sort, order, epoch ms, id]`. */
export function encodeCallCursor(c: CallCursor): string {
  return encodeJsonCursor([SORT_CODE[c.sort], ORDER_CODE[c.order], c.at, c.id]);
}

/**
 * Every value is checked before it reaches SQL, so a forged or damaged cursor is a 422 on `cursor`
 * and never a query Postgres refuses.
 */
export function decodeCallCursor(cursor: string): CallCursor {
  const value = decodeJsonCursor(cursor);
  if (!Array.isArray(value) || value.length !== 4) throw notOurs();
  const [sortCode, orderCode, at, id] = value as unknown[];
  const sort = CALL_SORTS.find((s) => SORT_CODE[s] === sortCode);
  const order = SORT_ORDERS.find((o) => ORDER_CODE[o] === orderCode);
  if (!sort || !order) throw notOurs();
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < MIN_INSTANT_MS || at > MAX_INSTANT_MS) throw notOurs();
  if (!isInteractionId(id)) throw notOurs();
  return { sort, order, at, id };
}

/** A cursor continues only the listing it came from: another sort or order would skip or repeat calls. */
export function checkCursorFits(c: CallCursor, sort: CallSort, order: SortOrder): void {
  if (c.sort === sort && c.order === order) return;
  throw new AppError(
    'invalid',
    'CURSOR_MISMATCH',
    `This cursor continues a listing sorted by ${c.sort} ${c.order}, not by ${sort} ${order}.`,
    {
      issues: [
        {
          in: 'query',
          pointer: '/cursor',
          detail: `Send sort=${c.sort}&order=${c.order} with it, or start again without a cursor.`,
        },
      ],
    },
  );
}
