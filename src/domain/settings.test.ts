import { describe, expect, it } from 'vitest';
import {
  applySettingsPatch,
  DEFAULT_SERVICE_LEVEL,
  DEFAULT_TENANT_SETTINGS,
  effectiveServiceLevel,
  isValidTimeZone,
  mergeServiceLevelOverride,
  TenantSettingsPatchSchema,
  TenantSettingsSchema,
} from './settings';

describe('tenant settings', () => {
  it('defaults are the documented ones (docs/api.md, Settings)', () => {
    expect(DEFAULT_TENANT_SETTINGS).toEqual({
      timeZone: 'UTC',
      serviceLevel: {
        thresholdSeconds: 20,
        targetPercent: 80,
        shortAbandonSeconds: 5,
        abandonsInDenominator: true,
        excludeShortAbandons: true,
        flowOutsInDenominator: true,
        abandonsWithinThresholdMet: false,
      },
      fcrWindowHours: 72,
      staleVisitMinutes: 240,
      rawRetentionDays: 7,
      attendance: { lateGraceMinutes: 5, earlyLeaveGraceMinutes: 5, presentStates: ['available', 'busy', 'wrapup', 'away'] },
      complaintCategories: [],
      rightPartyCategories: [],
      holidays: [],
    });
  });

  it('holidays: replaced whole by a change, none by default, settings stored before them read as none, a date once', () => {
    const days = [{ date: '2026-12-25', name: 'Christmas Day' }, { date: '2026-12-26' }];
    const next = applySettingsPatch(DEFAULT_TENANT_SETTINGS, TenantSettingsPatchSchema.parse({ holidays: days }));
    expect(next.holidays).toEqual(days);
    expect(applySettingsPatch(next, { fcrWindowHours: 24 }).holidays).toEqual(days);
    expect(applySettingsPatch(next, { holidays: [] }).holidays).toEqual([]);
    const { holidays: _, ...stored } = DEFAULT_TENANT_SETTINGS;
    expect(TenantSettingsSchema.parse(stored).holidays).toEqual([]);
    const twice = TenantSettingsPatchSchema.safeParse({ holidays: [...days, { date: '2026-12-25' }] });
    expect(twice.error?.issues.map((i) => i.path)).toEqual([['holidays', 2, 'date']]);
    const notADate = TenantSettingsPatchSchema.safeParse({ holidays: [{ date: '2026-02-30' }] });
    expect(notADate.error?.issues.map((i) => i.path)).toEqual([['holidays', 0, 'date']]);
  });

  it('complaint categories: replaced whole by a change, none by default, and settings stored before them read as none', () => {
    const next = applySettingsPatch(DEFAULT_TENANT_SETTINGS, { complaintCategories: ['billing', 'rude_agent'] });
    expect(next.complaintCategories).toEqual(['billing', 'rude_agent']);
    expect(applySettingsPatch(next, { complaintCategories: ['info'] }).complaintCategories).toEqual(['info']);
    expect(applySettingsPatch(next, { fcrWindowHours: 24 }).complaintCategories).toEqual(['billing', 'rude_agent']);
    const { complaintCategories: _, ...stored } = DEFAULT_TENANT_SETTINGS;
    expect(TenantSettingsSchema.parse(stored).complaintCategories).toEqual([]);
    // Settings stored before right-party categories read as none.
    const { rightPartyCategories: __, ...older } = DEFAULT_TENANT_SETTINGS;
    expect(TenantSettingsSchema.parse(older).rightPartyCategories).toEqual([]);
    const repeated = TenantSettingsPatchSchema.safeParse({ complaintCategories: ['a', ' b', 'a'] });
    expect(repeated.success).toBe(false);
    expect(repeated.error?.issues.map((i) => i.path)).toEqual([['complaintCategories', 2]]);
  });

  it('an attendance change replaces the fields it gives, one by one', () => {
    expect(applySettingsPatch(DEFAULT_TENANT_SETTINGS, { attendance: { lateGraceMinutes: 10 } }).attendance).toEqual({
      ...DEFAULT_TENANT_SETTINGS.attendance,
      lateGraceMinutes: 10,
    });
  });

  it('settings stored before attendance existed read as its defaults', () => {
    const { attendance: _attendance, ...stored } = DEFAULT_TENANT_SETTINGS;
    expect(TenantSettingsSchema.parse(stored)).toEqual(DEFAULT_TENANT_SETTINGS);
  });

  it.each([
    [{}, DEFAULT_TENANT_SETTINGS],
    [{ timeZone: 'Asia/Shanghai' }, { ...DEFAULT_TENANT_SETTINGS, timeZone: 'Asia/Shanghai' }],
    [
      { serviceLevel: { thresholdSeconds: 30 } },
      { ...DEFAULT_TENANT_SETTINGS, serviceLevel: { ...DEFAULT_SERVICE_LEVEL, thresholdSeconds: 30 } },
    ],
    [
      { fcrWindowHours: 48, serviceLevel: { excludeShortAbandons: false, targetPercent: 90 } },
      {
        ...DEFAULT_TENANT_SETTINGS,
        fcrWindowHours: 48,
        serviceLevel: { ...DEFAULT_SERVICE_LEVEL, excludeShortAbandons: false, targetPercent: 90 },
      },
    ],
  ])('patch %j merges field by field', (patch, expected) => {
    expect(applySettingsPatch(DEFAULT_TENANT_SETTINGS, patch)).toEqual(expected);
  });

  it.each(['UTC', 'Europe/Prague', 'America/New_York', 'Asia/Kolkata'])('%s is a time zone', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });
  it.each(['', 'Mars/Olympus', 'GMT+25', 'Europe/Nowhere'])('%j is not a time zone', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });

  it('rejects unknown fields and out-of-range values', () => {
    expect(TenantSettingsPatchSchema.safeParse({ colour: 'red' }).success).toBe(false);
    expect(TenantSettingsPatchSchema.safeParse({ serviceLevel: { targetPercent: 101 } }).success).toBe(false);
    expect(TenantSettingsPatchSchema.safeParse({ staleVisitMinutes: 1 }).success).toBe(false);
  });
});

describe('queue service-level overrides', () => {
  it.each([
    [null, { thresholdSeconds: 30 }, { thresholdSeconds: 30 }],
    [{ thresholdSeconds: 30 }, { targetPercent: 90 }, { thresholdSeconds: 30, targetPercent: 90 }],
    [{ thresholdSeconds: 30, targetPercent: 90 }, { thresholdSeconds: null }, { targetPercent: 90 }],
    [{ thresholdSeconds: 30 }, { thresholdSeconds: null }, null],
    [{ thresholdSeconds: 30 }, null, null],
    [null, {}, null],
  ])('%j merged with %j is %j', (current, patch, expected) => {
    expect(mergeServiceLevelOverride(current, patch)).toEqual(expected);
  });

  it('the effective policy is the tenant policy with the overrides on top', () => {
    expect(effectiveServiceLevel(DEFAULT_SERVICE_LEVEL, null)).toEqual(DEFAULT_SERVICE_LEVEL);
    expect(effectiveServiceLevel(DEFAULT_SERVICE_LEVEL, { thresholdSeconds: 45, abandonsInDenominator: false })).toEqual({
      ...DEFAULT_SERVICE_LEVEL,
      thresholdSeconds: 45,
      abandonsInDenominator: false,
    });
  });
});
