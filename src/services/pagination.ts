import { invalid } from '../domain/errors';
import { decodeCursor, encodeCursor } from '../lib/cursor';

export interface PageRequest {
  limit: number;
  afterId: string | null;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Reads `limit` and `cursor` query values; a cursor we did not issue is a 422 on `cursor`. */
export function pageRequest(query: { limit: number; cursor?: string | undefined }): PageRequest {
  if (!query.cursor) return { limit: query.limit, afterId: null };
  const afterId = decodeCursor(query.cursor);
  if (!afterId) throw invalid([{ in: 'query', pointer: '/cursor', detail: 'Not a cursor this API issued.' }]);
  return { limit: query.limit, afterId };
}

/** Rows were fetched with `limit + 1`: the extra one only says whether another page exists. */
export function pageFrom<T extends { id: string }>(items: T[], limit: number): Page<T> {
  const data = items.slice(0, limit);
  const last = data.at(-1);
  return { data, nextCursor: items.length > limit && last ? encodeCursor(last.id) : null };
}
