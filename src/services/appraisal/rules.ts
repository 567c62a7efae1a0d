import { and, asc, desc, eq, gt, isNull, lte } from 'drizzle-orm';
import type {
  AppraisalRuleCreate,
  AppraisalRuleOut,
  AppraisalRulePatch,
  AppraisalRuleVersionCreate,
  AppraisalRuleVersionOut,
} from '../../contracts/appraisal';
import type { Tx } from '../../db/client';
import { sqlState, UNIQUE_VIOLATION, violatedConstraint } from '../../db/errors';
import { appraisalRules, appraisalRuleVersions } from '../../db/schema';
import { type AppraisalRuleBody, appraisalRuleProblems } from '../../domain/appraisal/rules';
import { AppError, conflict, invalid, notFound } from '../../domain/errors';
import { newId } from '../../lib/ids';
import { type Actor, audit } from '../audit/audit';
import { type ServiceContext, tenantTx } from '../context';
import { type Page, type PageRequest, pageFrom } from '../pagination';
import { assertReferences } from '../resources/crud';

type RuleRow = typeof appraisalRules.$inferSelect;
type VersionRow = typeof appraisalRuleVersions.$inferSelect;

/** Rules a tenant may have, and versions a rule may have. */
export const MAX_APPRAISAL_RULES = 100;
export const MAX_RULE_VERSIONS = 200;
const RESOURCE = 'appraisal_rule';

function presentVersion(v: VersionRow): AppraisalRuleVersionOut {
  return {
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    ...v.body,
    createdAt: v.createdAt.toISOString(),
    createdBy: v.createdBy,
  };
}

function present(rule: RuleRow, versions: VersionRow[], current: VersionRow): AppraisalRuleOut {
  return {
    id: rule.id,
    name: rule.name,
    teamId: rule.teamId,
    current: presentVersion(current),
    versions: versions.map((v) => ({
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      createdAt: v.createdAt.toISOString(),
      createdBy: v.createdBy,
    })),
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

/** What the rule scores, as the domain validates and scores it. */
function scoredBody(name: string, body: Omit<AppraisalRuleBody, 'name'>): AppraisalRuleBody {
  return { name, categories: body.categories, missingData: body.missingData };
}

/** Weights, metrics, directions and bands beyond the shape: a 422 with a pointer into the body for each. */
function checkBody(rule: AppraisalRuleBody): void {
  const problems = appraisalRuleProblems(rule);
  if (problems.length > 0)
    throw invalid(
      problems.map((p) => ({ in: 'body' as const, ...p })),
      'The appraisal rule is not valid.',
    );
}

async function checkTeam(tx: Tx, tenantId: string, teamId: string | null | undefined): Promise<void> {
  if (teamId) await assertReferences(tx, tenantId, [{ kind: 'team', items: [{ pointer: '/teamId', id: teamId }] }]);
}

/** A rule's name is unique among the tenant's live rules: taken is a 409 on the name. */
function nameTaken(err: unknown): never {
  if (sqlState(err) !== UNIQUE_VIOLATION || violatedConstraint(err) !== 'appraisal_rules_name_unique') throw err;
  throw conflict('CONFLICT', 'Another appraisal rule already has this name.', [
    { in: 'body', pointer: '/name', detail: 'Already taken by another appraisal rule.' },
  ]);
}

async function loadRule(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<RuleRow> {
  const q = tx
    .select()
    .from(appraisalRules)
    .where(and(eq(appraisalRules.tenantId, tenantId), eq(appraisalRules.id, id), isNull(appraisalRules.archivedAt)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw notFound('appraisal rule', id);
  return row;
}

async function versionsOf(tx: Tx, tenantId: string, ruleId: string): Promise<VersionRow[]> {
  return tx
    .select()
    .from(appraisalRuleVersions)
    .where(and(eq(appraisalRuleVersions.tenantId, tenantId), eq(appraisalRuleVersions.ruleId, ruleId)))
    .orderBy(asc(appraisalRuleVersions.version));
}

/**
 * The version of a rule in effect on `date` (`YYYY-MM-DD`): the newest one whose first day is not after it; null when
 * the rule's first version starts later.
 */
export async function versionInEffect(tx: Tx, tenantId: string, ruleId: string, date: string): Promise<VersionRow | null> {
  const [row] = await tx
    .select()
    .from(appraisalRuleVersions)
    .where(
      and(
        eq(appraisalRuleVersions.tenantId, tenantId),
        eq(appraisalRuleVersions.ruleId, ruleId),
        lte(appraisalRuleVersions.effectiveFrom, date),
      ),
    )
    .orderBy(desc(appraisalRuleVersions.version))
    .limit(1);
  return row ?? null;
}

async function read(tx: Tx, tenantId: string, rule: RuleRow, at?: string): Promise<AppraisalRuleOut> {
  const versions = await versionsOf(tx, tenantId, rule.id);
  const current = at ? await versionInEffect(tx, tenantId, rule.id, at) : versions.at(-1);
  if (!current) {
    throw new AppError('not_found', 'NOT_FOUND', `The appraisal rule '${rule.id}' has no version in effect on ${at}.`);
  }
  return present(rule, versions, current);
}

export async function createAppraisalRule(
  ctx: ServiceContext,
  actor: Actor,
  input: AppraisalRuleCreate,
): Promise<AppraisalRuleOut> {
  const { name, teamId, effectiveFrom, ...body } = input;
  checkBody(scoredBody(name, body));
  const id = newId('appraisalRule', ctx.now.getTime());
  return tenantTx(ctx, async (tx) => {
    await checkTeam(tx, ctx.tenantId, teamId);
    const count = await tx.$count(
      appraisalRules,
      and(eq(appraisalRules.tenantId, ctx.tenantId), isNull(appraisalRules.archivedAt)),
    );
    if (count >= MAX_APPRAISAL_RULES) {
      throw conflict('TOO_MANY_APPRAISAL_RULES', `A tenant has at most ${MAX_APPRAISAL_RULES} appraisal rules.`);
    }
    const [rule] = await tx
      .insert(appraisalRules)
      .values({ tenantId: ctx.tenantId, id, name, teamId, createdAt: ctx.now, updatedAt: ctx.now })
      .returning();
    if (!rule) throw new Error('appraisal rule insert returned nothing');
    const [version] = await tx
      .insert(appraisalRuleVersions)
      .values({ tenantId: ctx.tenantId, ruleId: id, version: 1, effectiveFrom, body, createdAt: ctx.now, createdBy: actor })
      .returning();
    if (!version) throw new Error('appraisal rule version insert returned nothing');
    await audit(tx, ctx, actor, {
      action: 'appraisal_rule.created',
      resourceType: RESOURCE,
      resourceId: id,
      details: { name, teamId, version: 1, effectiveFrom },
    });
    return present(rule, [version], version);
  }).catch(nameTaken);
}

/**
 * A new version of what the rule scores, from `effectiveFrom` on. Versions are never changed: a period already
 * scored keeps the version it was scored with. A version may not start before the newest one does (a correction of
 * the newest starts on the same day).
 */
export async function addAppraisalRuleVersion(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  input: AppraisalRuleVersionCreate,
): Promise<AppraisalRuleOut> {
  const { effectiveFrom, ...body } = input;
  return tenantTx(ctx, async (tx) => {
    const rule = await loadRule(tx, ctx.tenantId, id, true);
    checkBody(scoredBody(rule.name, body));
    const versions = await versionsOf(tx, ctx.tenantId, id);
    const newest = versions.at(-1);
    if (newest && effectiveFrom < newest.effectiveFrom) {
      throw invalid([
        {
          in: 'body',
          pointer: '/effectiveFrom',
          detail: `Version ${newest.version} is in effect from ${newest.effectiveFrom}; a new version starts on that day or later.`,
        },
      ]);
    }
    if (versions.length >= MAX_RULE_VERSIONS) {
      throw conflict('TOO_MANY_VERSIONS', `An appraisal rule has at most ${MAX_RULE_VERSIONS} versions.`);
    }
    const number = (newest?.version ?? 0) + 1;
    const [version] = await tx
      .insert(appraisalRuleVersions)
      .values({ tenantId: ctx.tenantId, ruleId: id, version: number, effectiveFrom, body, createdAt: ctx.now, createdBy: actor })
      .returning();
    if (!version) throw new Error('appraisal rule version insert returned nothing');
    const [updated] = await tx
      .update(appraisalRules)
      .set({ updatedAt: ctx.now })
      .where(and(eq(appraisalRules.tenantId, ctx.tenantId), eq(appraisalRules.id, id)))
      .returning();
    await audit(tx, ctx, actor, {
      action: 'appraisal_rule.version_added',
      resourceType: RESOURCE,
      resourceId: id,
      details: { version: number, effectiveFrom },
    });
    return present(updated ?? rule, [...versions, version], version);
  });
}

/** Renames a rule or moves it to another team (or to every agent); its versions stay as they are. */
export async function updateAppraisalRule(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  patch: AppraisalRulePatch,
): Promise<AppraisalRuleOut> {
  return tenantTx(ctx, async (tx) => {
    const before = await loadRule(tx, ctx.tenantId, id, true);
    await checkTeam(tx, ctx.tenantId, patch.teamId);
    const [after] = await tx
      .update(appraisalRules)
      .set({ ...patch, updatedAt: ctx.now })
      .where(and(eq(appraisalRules.tenantId, ctx.tenantId), eq(appraisalRules.id, id)))
      .returning();
    if (!after) throw notFound('appraisal rule', id);
    const changed = (['name', 'teamId'] as const).filter((k) => patch[k] !== undefined && patch[k] !== before[k]);
    if (changed.length > 0) {
      await audit(tx, ctx, actor, {
        action: 'appraisal_rule.updated',
        resourceType: RESOURCE,
        resourceId: id,
        details: {
          before: Object.fromEntries(changed.map((k) => [k, before[k]])),
          after: Object.fromEntries(changed.map((k) => [k, after[k]])),
        },
      });
    }
    return read(tx, ctx.tenantId, after);
  }).catch(nameTaken);
}

/** Archives a rule (its versions stay, for the appraisals made with them). */
export async function deleteAppraisalRule(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
): Promise<{ id: string; outcome: 'archived' }> {
  await tenantTx(ctx, async (tx) => {
    await loadRule(tx, ctx.tenantId, id, true);
    await tx
      .update(appraisalRules)
      .set({ archivedAt: ctx.now, updatedAt: ctx.now })
      .where(and(eq(appraisalRules.tenantId, ctx.tenantId), eq(appraisalRules.id, id)));
    await audit(tx, ctx, actor, { action: 'appraisal_rule.deleted', resourceType: RESOURCE, resourceId: id });
  });
  return { id, outcome: 'archived' };
}

/** A rule with its versions; `at`: the version in effect that day as `current`. */
export async function getAppraisalRule(ctx: ServiceContext, id: string, at?: string): Promise<AppraisalRuleOut> {
  return tenantTx(ctx, async (tx) => read(tx, ctx.tenantId, await loadRule(tx, ctx.tenantId, id), at));
}

/** One version as it was written. */
export async function getAppraisalRuleVersion(
  ctx: ServiceContext,
  id: string,
  version: number,
): Promise<AppraisalRuleVersionOut> {
  return tenantTx(ctx, async (tx) => {
    await loadRule(tx, ctx.tenantId, id);
    const found = (await versionsOf(tx, ctx.tenantId, id)).find((v) => v.version === version);
    if (!found) throw notFound('appraisal rule version', `${id}/${version}`);
    return presentVersion(found);
  });
}

export async function listAppraisalRules(ctx: ServiceContext, page: PageRequest): Promise<Page<AppraisalRuleOut>> {
  return tenantTx(ctx, async (tx) => {
    const rules = await tx
      .select()
      .from(appraisalRules)
      .where(
        and(
          eq(appraisalRules.tenantId, ctx.tenantId),
          isNull(appraisalRules.archivedAt),
          page.afterId ? gt(appraisalRules.id, page.afterId) : undefined,
        ),
      )
      .orderBy(asc(appraisalRules.id))
      .limit(page.limit + 1);
    const out: AppraisalRuleOut[] = [];
    for (const r of rules) out.push(await read(tx, ctx.tenantId, r));
    return pageFrom(out, page.limit);
  });
}
