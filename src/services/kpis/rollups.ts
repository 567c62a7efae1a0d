import { sql } from 'drizzle-orm';
import { bigints } from '../../db/history-reader';
import { healDirtyBuckets } from '../../db/kpi-rollups';
import { invalid } from '../../domain/errors';
import { BUCKET_MS } from '../../domain/kpi/facts';
import { type ServiceContext, tenantTx } from '../context';

/** At most this many buckets are listed dirty by one rebuild request (400 days). */
const MAX_MARKED = 400 * 96;

/**
 * `POST /v1/kpis/rollups/rebuild`: lists a range's buckets as dirty (optional) and recomputes up to `maxBuckets`
 * dirty buckets from the records, in one transaction. Answers stay exact meanwhile (dirty buckets are read from
 * their records); this only makes them fast again sooner than flushes would. Call again until `dirtyLeft` is 0.
 */
export async function rebuildRollups(
  ctx: ServiceContext,
  body: { from?: string; to?: string; maxBuckets: number },
): Promise<{ marked: number; recomputed: number; dirtyLeft: number }> {
  let marked = 0;
  if (body.from !== undefined || body.to !== undefined) {
    if (body.from === undefined || body.to === undefined) {
      throw invalid([{ pointer: body.from === undefined ? '/from' : '/to', in: 'body', detail: 'Give both `from` and `to`.' }]);
    }
    const from = Math.floor(Date.parse(body.from) / BUCKET_MS) * BUCKET_MS;
    const to = Math.ceil(Date.parse(body.to) / BUCKET_MS) * BUCKET_MS;
    if (to <= from) throw invalid([{ pointer: '/to', in: 'body', detail: '`to` must be after `from`.' }]);
    if ((to - from) / BUCKET_MS > MAX_MARKED)
      throw invalid([{ pointer: '/to', in: 'body', detail: 'At most 400 days at a time.' }]);
    marked = (to - from) / BUCKET_MS;
    const buckets = Array.from({ length: marked }, (_, i) => from + i * BUCKET_MS);
    await tenantTx(ctx, (tx) =>
      tx.execute(sql`
        INSERT INTO kpi_dirty_buckets (tenant_id, bucket_start)
        SELECT ${ctx.tenantId}, b FROM unnest(${bigints(buckets)}) AS b ORDER BY b ON CONFLICT DO NOTHING`),
    );
  }
  const { recomputed, left } = await tenantTx(ctx, (tx) => healDirtyBuckets(tx, ctx.tenantId, body.maxBuckets));
  return { marked, recomputed, dirtyLeft: left };
}
