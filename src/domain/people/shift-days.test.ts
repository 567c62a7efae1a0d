import { describe, expect, it } from 'vitest';
import { applyMembershipChange, initialMemberships } from '../agents/memberships';
import { dateStartRange, localDate, shiftZone } from './shift-days';

const sites = new Map<string, string | null>([
  ['sit_prg', 'Europe/Prague'],
  ['sit_kul', 'Asia/Kuala_Lumpur'],
  ['sit_nozone', null],
]);
const t = (iso: string) => Date.parse(iso);

describe('shift days', () => {
  it("counts a shift in its agent's site's zone as of its start, else the tenant's", () => {
    // In Prague until 2026-03-10 12:00 UTC, then Kuala Lumpur; a site without a zone; no site.
    const moved = applyMembershipChange(initialMemberships(null, 'sit_prg'), {
      at: t('2026-03-10T12:00:00Z'),
      siteId: 'sit_kul',
    });
    expect(shiftZone(moved, t('2026-03-10T11:59:59Z'), sites, 'UTC')).toBe('Europe/Prague');
    expect(shiftZone(moved, t('2026-03-10T12:00:00Z'), sites, 'UTC')).toBe('Asia/Kuala_Lumpur');
    expect(shiftZone(initialMemberships(null, 'sit_nozone'), 0, sites, 'America/New_York')).toBe('America/New_York');
    expect(shiftZone(initialMemberships(), 0, sites, 'America/New_York')).toBe('America/New_York');
    expect(shiftZone([], 0, sites, 'UTC')).toBe('UTC');
  });

  it('puts a shift on the local date of its start, across DST changes and the date line', () => {
    // Prague springs forward on 2026-03-29 (02:00 CET → 03:00 CEST) and falls back on 2026-10-25.
    expect(localDate(t('2026-03-28T22:59:59Z'), 'Europe/Prague')).toBe('2026-03-28');
    expect(localDate(t('2026-03-28T23:00:00Z'), 'Europe/Prague')).toBe('2026-03-29');
    expect(localDate(t('2026-03-29T21:59:59Z'), 'Europe/Prague')).toBe('2026-03-29'); // 23:59:59 CEST
    expect(localDate(t('2026-03-29T22:00:00Z'), 'Europe/Prague')).toBe('2026-03-30');
    expect(localDate(t('2026-10-25T22:59:59Z'), 'Europe/Prague')).toBe('2026-10-25'); // 23:59:59 CET
    expect(localDate(t('2026-10-25T23:00:00Z'), 'Europe/Prague')).toBe('2026-10-26');
    // 16:00 UTC is already tomorrow in Kuala Lumpur (UTC+8), still today in Prague.
    expect(localDate(t('2026-03-02T16:00:00Z'), 'Asia/Kuala_Lumpur')).toBe('2026-03-03');
    expect(localDate(t('2026-03-02T16:00:00Z'), 'Europe/Prague')).toBe('2026-03-02');
    expect(localDate(t('2026-03-02T10:30:00Z'), 'Pacific/Kiritimati')).toBe('2026-03-03'); // UTC+14
    expect(localDate(t('2026-03-03T11:30:00Z'), 'Etc/GMT+12')).toBe('2026-03-02'); // UTC−12
  });

  it("searches every instant a date's shifts can start at, in any zone", () => {
    const r = dateStartRange('2026-03-02');
    expect(localDate(r.from, 'Pacific/Kiritimati')).toBe('2026-03-02');
    expect(localDate(r.from - 1, 'Pacific/Kiritimati')).toBe('2026-03-01');
    expect(localDate(r.to - 1, 'Etc/GMT+12')).toBe('2026-03-02');
    expect(localDate(r.to, 'Etc/GMT+12')).toBe('2026-03-03');
  });
});
