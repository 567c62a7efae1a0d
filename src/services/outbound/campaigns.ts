import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { CampaignCreate, CampaignOut, CampaignPatch } from '../../contracts/outbound';
import { CampaignPolicySchema, MAX_CAMPAIGNS } from '../../contracts/outbound';
import type { Tx } from '../../db/client';
import { outboundCampaigns } from '../../db/schema';
import { AppError, invalid, notFound } from '../../domain/errors';
import { type CampaignPolicy, policyProblems } from '../../domain/outbound/policy';
import { callOutbound } from '../../durable-objects/outbound/outbound.client';
import { newId } from '../../lib/ids';
import { type ServiceContext, tenantTx, writeThrough } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';

type Row = typeof outboundCampaigns.$inferSelect;

export function presentCampaign(r: Row): CampaignOut {
  return {
    id: r.id,
    name: r.name,
    ...r.policy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const mirror = (ctx: ServiceContext, id: string, policy: CampaignPolicy | null) =>
  callOutbound(ctx.env, ctx.tenantId, (s) => s.putCampaign(ctx.tenantId, id, policy));

function checkPolicy(policy: CampaignPolicy): void {
  const problems = policyProblems(policy);
  if (problems.length > 0) throw invalid(problems.map((p) => ({ in: 'body' as const, pointer: p.pointer, detail: p.message })));
}

async function loadCampaign(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<Row> {
  const q = tx
    .select()
    .from(outboundCampaigns)
    .where(and(eq(outboundCampaigns.tenantId, tenantId), eq(outboundCampaigns.id, id), isNull(outboundCampaigns.archivedAt)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('campaign', id);
  return row;
}

export async function createCampaign(ctx: ServiceContext, input: CampaignCreate): Promise<CampaignOut> {
  const { name, ...rest } = input;
  const policy: CampaignPolicy = CampaignPolicySchema.parse(rest);
  checkPolicy(policy);
  const id = newId('campaign', ctx.now.getTime());
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      const count = await tx.$count(
        outboundCampaigns,
        and(eq(outboundCampaigns.tenantId, ctx.tenantId), isNull(outboundCampaigns.archivedAt)),
      );
      if (count >= MAX_CAMPAIGNS) {
        throw new AppError('conflict', 'TOO_MANY_CAMPAIGNS', `A tenant has at most ${MAX_CAMPAIGNS} live campaigns.`);
      }
      const [created] = await tx
        .insert(outboundCampaigns)
        .values({ tenantId: ctx.tenantId, id, name, policy, createdAt: ctx.now, updatedAt: ctx.now })
        .returning();
      if (!created) throw new Error('campaign insert returned nothing');
      return created;
    },
    durable: (r) => mirror(ctx, id, r.policy),
    undo: () => mirror(ctx, id, null),
  });
  return presentCampaign(row);
}

export async function listCampaigns(ctx: ServiceContext, page: PageRequest): Promise<Page<CampaignOut>> {
  const rows = await tenantTx(ctx, (tx) =>
    tx
      .select()
      .from(outboundCampaigns)
      .where(
        and(
          eq(outboundCampaigns.tenantId, ctx.tenantId),
          isNull(outboundCampaigns.archivedAt),
          page.afterId ? gt(outboundCampaigns.id, page.afterId) : undefined,
        ),
      )
      .orderBy(asc(outboundCampaigns.id))
      .limit(page.limit + 1),
  );
  return pageFrom(rows.map(presentCampaign), page.limit);
}

export async function getCampaign(ctx: ServiceContext, id: string): Promise<CampaignOut> {
  return presentCampaign(await tenantTx(ctx, (tx) => loadCampaign(tx, ctx.tenantId, id)));
}

/** Fields given replace the campaign's (`windows` and `caps` as a whole). */
export async function updateCampaign(ctx: ServiceContext, id: string, patch: CampaignPatch): Promise<CampaignOut> {
  let before: Row | undefined;
  const row = await writeThrough(ctx, {
    postgres: async (tx) => {
      const current = await loadCampaign(tx, ctx.tenantId, id, true);
      before = current;
      const { name, ...changes } = patch;
      const policy: CampaignPolicy = CampaignPolicySchema.parse({ ...current.policy, ...changes });
      checkPolicy(policy);
      const [updated] = await tx
        .update(outboundCampaigns)
        .set({ name: name ?? current.name, policy, updatedAt: ctx.now })
        .where(and(eq(outboundCampaigns.tenantId, ctx.tenantId), eq(outboundCampaigns.id, id)))
        .returning();
      if (!updated) throw notFound('campaign', id);
      return updated;
    },
    durable: (r) => mirror(ctx, id, r.policy),
    undo: () => mirror(ctx, id, before?.policy ?? null),
  });
  return presentCampaign(row);
}

/** Archives a campaign: checks against it answer 404 from then on; its attempts still count for the number's caps. */
export async function deleteCampaign(ctx: ServiceContext, id: string): Promise<{ id: string; outcome: 'archived' }> {
  await writeThrough(ctx, {
    postgres: async (tx) => {
      const row = await loadCampaign(tx, ctx.tenantId, id, true);
      await tx
        .update(outboundCampaigns)
        .set({ archivedAt: ctx.now, updatedAt: ctx.now })
        .where(and(eq(outboundCampaigns.tenantId, ctx.tenantId), eq(outboundCampaigns.id, id)));
      return row;
    },
    durable: () => mirror(ctx, id, null),
    undo: (row) => mirror(ctx, id, row.policy),
  });
  return { id, outcome: 'archived' };
}
