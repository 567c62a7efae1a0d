import { describe, expect, it } from 'vitest';
import { type CampaignPolicy, type DecisionInput, decide, firstInstantAtOrAfter } from './policy';

const ALL = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as CampaignPolicy['windows'][number]['days'];
const policy = (over: Partial<CampaignPolicy> = {}): CampaignPolicy => ({
  windows: [{ days: ALL, start: '09:00', end: '20:00' }],
  timeZone: null,
  caps: { perDay: null, perWeek: null, perCampaign: null },
  minGapMinutes: 0,
  ...over,
});
const t = (iso: string) => Date.parse(iso);
const input = (over: Partial<DecisionInput> & { at: number }): DecisionInput => ({
  policy: policy(),
  zones: ['America/New_York'],
  quietDays: new Set(),
  doNotCall: false,
  recent: [],
  campaignAttempts: 0,
  ...over,
});
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('calling windows in the callee’s local time', () => {
  it('opens at the window’s start exactly and closes at its end (exclusive)', () => {
    // 2026-06-15 is a Monday; New York is UTC-4 in June.
    expect(decide(input({ at: t('2026-06-15T13:00:00Z') }))).toEqual({
      allowed: true,
      reason: null,
      nextAllowedAt: t('2026-06-15T13:00:00Z'),
    });
    const before = decide(input({ at: t('2026-06-15T12:59:59.999Z') }));
    expect(before).toMatchObject({ allowed: false, reason: 'outside_window' });
    expect(iso(before.nextAllowedAt)).toBe('2026-06-15T13:00:00.000Z');
    expect(decide(input({ at: t('2026-06-15T23:59:59.999Z') })).allowed).toBe(true);
    const atEnd = decide(input({ at: t('2026-06-16T00:00:00Z') }));
    expect(atEnd).toMatchObject({ allowed: false, reason: 'outside_window' });
    expect(iso(atEnd.nextAllowedAt)).toBe('2026-06-16T13:00:00.000Z');
  });

  it('follows the offset across the spring-forward night (New York, 8 March 2026)', () => {
    // Saturday 09:00 EST is 14:00Z; Sunday 09:00 is already EDT, 13:00Z.
    expect(decide(input({ at: t('2026-03-07T14:00:00Z') })).allowed).toBe(true);
    expect(decide(input({ at: t('2026-03-07T13:30:00Z') })).allowed).toBe(false);
    const sat = decide(input({ at: t('2026-03-08T00:59:00Z') })); // 19:59 EST Saturday
    expect(sat.allowed).toBe(true);
    const night = decide(input({ at: t('2026-03-08T01:00:00Z') })); // 20:00 EST: closed
    expect(iso(night.nextAllowedAt)).toBe('2026-03-08T13:00:00.000Z');
  });

  it('opens a window whose start the clocks skip at the instant they jump', () => {
    const p = policy({ windows: [{ days: ['sun'], start: '02:30', end: '04:00' }] });
    // 2026-03-08 02:00 EST → 03:00 EDT at 07:00Z: 02:30 never happens; the window opens at 03:00 EDT.
    const r = decide(input({ policy: p, at: t('2026-03-08T06:59:00Z') }));
    expect(r).toMatchObject({ allowed: false, reason: 'outside_window' });
    expect(iso(r.nextAllowedAt)).toBe('2026-03-08T07:00:00.000Z');
    expect(decide(input({ policy: p, at: t('2026-03-08T07:00:00Z') })).allowed).toBe(true);
    expect(firstInstantAtOrAfter(Date.UTC(2026, 2, 8), 150, 'America/New_York')).toBe(t('2026-03-08T07:00:00Z'));
  });

  it('takes the first of the two 01:30s when the clocks fall back (New York, 1 November 2026)', () => {
    expect(firstInstantAtOrAfter(Date.UTC(2026, 10, 1), 90, 'America/New_York')).toBe(t('2026-11-01T05:30:00Z'));
    const p = policy({ windows: [{ days: ['sun'], start: '01:30', end: '01:45' }] });
    expect(decide(input({ policy: p, at: t('2026-11-01T05:30:00Z') })).allowed).toBe(true); // 01:30 EDT
    expect(decide(input({ policy: p, at: t('2026-11-01T06:30:00Z') })).allowed).toBe(true); // 01:30 EST, again
    const between = decide(input({ policy: p, at: t('2026-11-01T06:00:00Z') })); // 01:00 EST
    expect(iso(between.nextAllowedAt)).toBe('2026-11-01T06:30:00.000Z');
    // The Sunday window after the change: 09:00 EST is 14:00Z.
    const morning = decide(input({ at: t('2026-11-01T13:30:00Z') }));
    expect(iso(morning.nextAllowedAt)).toBe('2026-11-01T14:00:00.000Z');
  });

  it('keeps European and southern-hemisphere changes apart (Prague and Sydney)', () => {
    const prague = (at: string) =>
      decide(
        input({
          zones: ['Europe/Prague'],
          policy: policy({ windows: [{ days: ALL, start: '08:00', end: '21:00' }] }),
          at: t(at),
        }),
      );
    expect(prague('2026-03-28T07:00:00Z').allowed).toBe(true); // 08:00 CET
    expect(prague('2026-03-29T06:00:00Z').allowed).toBe(true); // 08:00 CEST
    expect(iso(prague('2026-03-29T05:59:00Z').nextAllowedAt)).toBe('2026-03-29T06:00:00.000Z');
    // Sydney leaves summer time at 03:00 on 5 April 2026: 09:00 on the 4th is 22:00Z, on the 5th 23:00Z.
    const sydney = (at: string) => decide(input({ zones: ['Australia/Sydney'], at: t(at) }));
    expect(iso(sydney('2026-04-03T21:00:00Z').nextAllowedAt)).toBe('2026-04-03T22:00:00.000Z');
    expect(iso(sydney('2026-04-04T21:00:00Z').nextAllowedAt)).toBe('2026-04-04T23:00:00.000Z');
  });

  it('needs every candidate zone to allow (a number whose area spans two zones)', () => {
    const zones = ['America/Anchorage', 'America/Adak'];
    const r = decide(input({ zones, at: t('2026-06-15T17:00:00Z') })); // 09:00 Anchorage, 08:00 Adak
    expect(r).toMatchObject({ allowed: false, reason: 'outside_window' });
    expect(iso(r.nextAllowedAt)).toBe('2026-06-15T18:00:00.000Z');
    // 20:00 in Anchorage closes it although Adak is still at 19:00.
    expect(decide(input({ zones, at: t('2026-06-16T04:00:00Z') })).allowed).toBe(false);
    expect(decide(input({ zones, at: t('2026-06-16T03:59:00Z') })).allowed).toBe(true);
  });

  it('skips days the windows do not name', () => {
    const p = policy({ windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }] });
    const r = decide(input({ policy: p, at: t('2026-06-13T15:00:00Z') })); // Saturday
    expect(iso(r.nextAllowedAt)).toBe('2026-06-15T13:00:00.000Z');
  });

  it('says outside_window with no next instant when nothing opens within the horizon', () => {
    const p = policy({ windows: [{ days: ['mon'], start: '09:00', end: '10:00' }] });
    const quiet = new Set(['2026-06-15', '2026-06-22', '2026-06-29']);
    expect(decide(input({ policy: p, quietDays: quiet, at: t('2026-06-14T12:00:00Z') }))).toEqual({
      allowed: false,
      reason: 'outside_window',
      nextAllowedAt: null,
    });
  });
});

describe('quiet days, caps, the gap and the do-not-call list', () => {
  it('reads a quiet day as the callee’s local date', () => {
    const quietDays = new Set(['2026-12-25']);
    const tokyo = decide(input({ zones: ['Asia/Tokyo'], quietDays, at: t('2026-12-25T01:00:00Z') })); // 10:00 on the 25th
    expect(tokyo).toMatchObject({ allowed: false, reason: 'quiet_day' });
    expect(iso(tokyo.nextAllowedAt)).toBe('2026-12-26T00:00:00.000Z');
    // The same instant is the 24th, 20:00 in New York: outside the window, not quiet.
    expect(decide(input({ quietDays, at: t('2026-12-25T01:00:00Z') })).reason).toBe('outside_window');
  });

  it('caps attempts in any 24 hours and any 7 days, released when the oldest leaves the span', () => {
    const at = t('2026-06-15T15:00:00Z');
    const recent = [at - 23 * 3_600_000, at - 3_600_000];
    const daily = decide(input({ policy: policy({ caps: { perDay: 2, perWeek: null, perCampaign: null } }), recent, at }));
    expect(daily).toMatchObject({ allowed: false, reason: 'daily_cap' });
    expect(daily.nextAllowedAt).toBe(at + 3_600_000);
    const week = [6, 5, 4].map((d) => at - d * 86_400_000);
    const weekly = decide(input({ policy: policy({ caps: { perDay: 5, perWeek: 3, perCampaign: null } }), recent: week, at }));
    expect(weekly).toMatchObject({ allowed: false, reason: 'weekly_cap' });
    expect(weekly.nextAllowedAt).toBe(at + 86_400_000);
    expect(decide(input({ policy: policy({ caps: { perDay: 3, perWeek: null, perCampaign: null } }), recent, at })).allowed).toBe(
      true,
    );
  });

  it('moves a released cap into the next window when it falls outside one', () => {
    const at = t('2026-06-15T23:00:00Z'); // 19:00 New York
    const recent = [t('2026-06-15T00:30:00Z')]; // released at 00:30Z, 20:30 local: closed
    const r = decide(input({ policy: policy({ caps: { perDay: 1, perWeek: null, perCampaign: null } }), recent, at }));
    expect(r.reason).toBe('daily_cap');
    expect(iso(r.nextAllowedAt)).toBe('2026-06-16T13:00:00.000Z');
  });

  it('keeps the minimum gap after the last attempt of any campaign', () => {
    const at = t('2026-06-15T15:00:00Z');
    const r = decide(input({ policy: policy({ minGapMinutes: 90 }), recent: [at - 3_600_000], at }));
    expect(r).toMatchObject({ allowed: false, reason: 'min_gap' });
    expect(r.nextAllowedAt).toBe(at + 30 * 60_000);
  });

  it('never allows a number on the do-not-call list or past the campaign cap', () => {
    const at = t('2026-06-15T15:00:00Z');
    expect(decide(input({ doNotCall: true, at }))).toEqual({ allowed: false, reason: 'do_not_call', nextAllowedAt: null });
    const capped = input({ policy: policy({ caps: { perDay: null, perWeek: null, perCampaign: 2 } }), campaignAttempts: 2, at });
    expect(decide(capped)).toEqual({ allowed: false, reason: 'campaign_cap', nextAllowedAt: null });
  });
});
