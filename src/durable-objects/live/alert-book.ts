import type { Alert } from '../../contracts/alerts';
import { type ActiveAlert, observe, QUIET, type SubjectState, step, type TenantView } from '../../domain/alerts/engine';
import type { AlertRule } from '../../domain/alerts/rules';
import { newId } from '../../lib/ids';
import type { Wakeable } from '../lifecycle';
import type { Outbox } from '../outbox';

export type AlertEventType = 'alert.triggered' | 'alert.acknowledged' | 'alert.resolved';
export interface AlertEvent {
  type: AlertEventType;
  alert: Alert;
}

/** What the hub keeps of a (rule, subject) between evaluations. */
interface StoredState extends SubjectState {
  /** The alert as last written (its wire form), while one is open. */
  alert: Alert | null;
  version: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The hub's alert rules (`alert_rules`, a copy of Postgres's) and the lifecycle of each (rule, subject)
 * (`alert_state`), evaluated by the pure engine (`src/domain/alerts/engine.ts`) on every change of the live
 * state and at the instants the engine asks for (the alarm: `nextWake`). Every status an alert takes is a new
 * version of its record in the outbox (→ the `alerts` table) and an event for the stream and the webhooks.
 */
export class AlertBook implements Wakeable {
  private cached: AlertRule[] | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
    private readonly view: (now: number) => TenantView | null,
    private readonly complete: (rule: AlertRule) => boolean,
    private readonly emit: (events: AlertEvent[]) => void,
  ) {}

  rules(): AlertRule[] {
    this.cached ??= this.sql
      .exec<{ body: string }>('SELECT body FROM alert_rules ORDER BY id')
      .toArray()
      .map((r) => JSON.parse(r.body) as AlertRule);
    return this.cached;
  }

  replaceRules(rules: readonly AlertRule[]): void {
    this.sql.exec('DELETE FROM alert_rules');
    for (const r of rules) this.sql.exec('INSERT INTO alert_rules (id, body) VALUES (?, ?)', r.id, JSON.stringify(r));
    this.cached = null;
  }

  putRule(rule: AlertRule): void {
    this.sql.exec('INSERT OR REPLACE INTO alert_rules (id, body) VALUES (?, ?)', rule.id, JSON.stringify(rule));
    this.cached = null;
  }

  removeRule(id: string): void {
    this.sql.exec('DELETE FROM alert_rules WHERE id = ?', id);
    this.cached = null;
  }

  /** Alerts open now (triggered or acknowledged). */
  open(): Alert[] {
    return this.sql
      .exec<{ body: string }>('SELECT body FROM alert_state WHERE open = 1 ORDER BY key')
      .toArray()
      .map((r) => (JSON.parse(r.body) as StoredState).alert)
      .filter((a): a is Alert => a !== null);
  }

  /**
   * Looks at every rule against the live state now: triggers, resolves, schedules. A rule whose data is not all
   * here yet (the hub just woke and its queues have not answered) is left as it is, so nothing resolves for
   * want of data. An alert of a rule removed or disabled resolves.
   */
  evaluate(now: number): AlertEvent[] {
    const view = this.view(now);
    if (!view) return [];
    const events: AlertEvent[] = [];
    const rules = new Map(this.rules().map((r) => [r.id, r]));
    const states = this.states();
    for (const rule of rules.values()) {
      if (!rule.enabled || !this.complete(rule)) continue;
      const observations = new Map(observe(rule, view).map((o) => [o.subject, o]));
      const subjects = new Set([
        ...observations.keys(),
        ...[...states.values()].filter((s) => s.ruleId === rule.id).map((s) => s.subject),
      ]);
      for (const subject of subjects) {
        const key = `${rule.id}|${subject}`;
        const stored = states.get(key)?.state ?? { ...QUIET, alert: null, version: 0 };
        const obs = observations.get(subject);
        const out = step(rule, stored, obs, now, () => newId('alert'));
        const next: StoredState = { ...out.next, alert: stored.alert, version: stored.version };
        if (out.transition?.kind === 'triggered') {
          next.version = 1;
          next.alert = this.wire(rule, subject, obs?.agentId ?? null, out.transition.alert, 'triggered', null, null);
          events.push({ type: 'alert.triggered', alert: next.alert });
        } else if (out.transition?.kind === 'resolved' && stored.alert) {
          next.version = stored.version + 1;
          const resolved: Alert = {
            ...stored.alert,
            status: 'resolved',
            resolvedAt: iso(out.transition.resolvedAt),
            resolvedValue: out.transition.value,
          };
          this.outbox.putRecord('alert', resolved.id, next.version, resolved);
          events.push({ type: 'alert.resolved', alert: resolved });
          next.alert = null;
        }
        if (next.alert && out.transition?.kind === 'triggered')
          this.outbox.putRecord('alert', next.alert.id, next.version, next.alert);
        this.write(key, rule.id, subject, next, out.wakeAt);
      }
    }
    // States of rules that are gone (or disabled): open alerts resolve, the rest is forgotten.
    for (const [key, s] of states) {
      if (rules.get(s.ruleId)?.enabled) continue;
      if (s.state.alert) {
        const resolved: Alert = { ...s.state.alert, status: 'resolved', resolvedAt: iso(now), resolvedValue: null };
        this.outbox.putRecord('alert', resolved.id, s.state.version + 1, resolved);
        events.push({ type: 'alert.resolved', alert: resolved });
      }
      this.sql.exec('DELETE FROM alert_state WHERE key = ?', key);
    }
    if (events.length > 0) this.emit(events);
    return events;
  }

  /** Someone acknowledged an open alert; null when no open alert has this id. */
  acknowledge(alertId: string, by: string, now: number): Alert | null {
    for (const [key, s] of this.states()) {
      const a = s.state.alert;
      if (!a || a.id !== alertId) continue;
      if (a.acknowledgedAt !== null) return a;
      const acked: Alert = { ...a, status: 'acknowledged', acknowledgedAt: iso(now), acknowledgedBy: by };
      const next: StoredState = { ...s.state, alert: acked, version: s.state.version + 1 };
      if (next.active) next.active = { ...next.active, acknowledgedAt: now, acknowledgedBy: by };
      this.outbox.putRecord('alert', acked.id, next.version, acked);
      this.write(key, s.ruleId, s.subject, next, s.wakeAt);
      this.emit([{ type: 'alert.acknowledged', alert: acked }]);
      return acked;
    }
    return null;
  }

  nextWake(now: number): number | null {
    const t = this.sql.exec<{ t: number | null }>('SELECT min(wake_at) AS t FROM alert_state').one().t;
    return t === null ? null : Math.max(now, t);
  }

  onAlarm(now: number): void {
    this.evaluate(now);
  }

  private wire(
    rule: AlertRule,
    subject: string,
    agentId: string | null,
    a: ActiveAlert,
    status: Alert['status'],
    resolvedAt: number | null,
    resolvedValue: number | null,
  ): Alert {
    return {
      id: a.id,
      ruleId: rule.id,
      ruleName: rule.name,
      severity: rule.severity,
      status,
      scope: rule.scope,
      subject,
      agentId,
      condition: rule.condition,
      value: a.value,
      resolvedValue,
      triggeredAt: new Date(a.triggeredAt).toISOString(),
      acknowledgedAt: iso(a.acknowledgedAt),
      acknowledgedBy: a.acknowledgedBy,
      resolvedAt: iso(resolvedAt),
    };
  }

  private states(): Map<string, { ruleId: string; subject: string; state: StoredState; wakeAt: number | null }> {
    const out = new Map<string, { ruleId: string; subject: string; state: StoredState; wakeAt: number | null }>();
    for (const r of this.sql.exec<{ key: string; rule_id: string; subject: string; body: string; wake_at: number | null }>(
      'SELECT key, rule_id, subject, body, wake_at FROM alert_state',
    )) {
      out.set(r.key, { ruleId: r.rule_id, subject: r.subject, state: JSON.parse(r.body) as StoredState, wakeAt: r.wake_at });
    }
    return out;
  }

  private write(key: string, ruleId: string, subject: string, s: StoredState, wakeAt: number | null): void {
    if (s.active === null && s.pendingSince === null && s.lastResolvedAt === null) {
      this.sql.exec('DELETE FROM alert_state WHERE key = ?', key);
      return;
    }
    this.sql.exec(
      `INSERT INTO alert_state (key, rule_id, subject, body, wake_at, open) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET body = excluded.body, wake_at = excluded.wake_at, open = excluded.open`,
      key,
      ruleId,
      subject,
      JSON.stringify(s),
      wakeAt,
      s.alert ? 1 : 0,
    );
  }
}

export const ALERT_BOOK_DDL = `
  CREATE TABLE alert_rules (id TEXT PRIMARY KEY, body TEXT NOT NULL);
  CREATE TABLE alert_state (
    key TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    wake_at INTEGER,
    open INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX alert_state_wake ON alert_state (wake_at);
`;
