import { describe, expect, it } from 'vitest';
import { createAgent, createTeam, createTenant } from './factories';
import { expectProblem } from './helpers/api';
import { callId, PAST_T0, sendEvents, settle } from './helpers/ingest';

/** 00:00 UTC of a day before the tests' day: every instant of it is past. */
const DAY = PAST_T0 - 86_400_000;
const at = (h: number, m = 0) => new Date(DAY + (h * 60 + m) * 60_000).toISOString();

describe('schedules and attendance', () => {
  it('late, left early, out of adherence around lunch, absent — per shift and per agent', async () => {
    const t = await createTenant();
    const team = await createTeam(t);
    const ada = await createAgent(t, { teamId: team.id });
    const bo = await createAgent(t, { teamId: team.id });
    const shift = (agentId: string, id: string) => ({
      id,
      agentId,
      start: at(9),
      end: at(17),
      activities: [{ type: 'lunch', start: at(12), end: at(13) }],
    });
    const saved = await t.admin.post<{ data: { id: string }[] }>('/v1/schedules', {
      shifts: [shift(ada.id, 'ada-1'), shift(bo.id, 'bo-1')],
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.data.map((s) => s.id)).toEqual(['ada-1', 'bo-1']);

    const state = (s: string, time: string, reason?: string) => ({
      id: `${callId()}:p`,
      type: 'agent.state_changed',
      occurredAt: time,
      agentId: ada.id,
      attrs: { state: s, ...(reason ? { reason } : {}) },
    });
    // Ada: in at 09:10, lunch 12:00–13:05, out at 16:50. Bo never logs in.
    await sendEvents(t.admin, [
      state('available', at(9, 10)),
      state('away', at(12), 'lunch'),
      state('available', at(13, 5)),
      state('offline', at(16, 50)),
    ]);
    await settle(t);

    type Shift = {
      agentId: string;
      status: string;
      lateMinutes: number;
      late: boolean;
      earlyLeaveMinutes: number;
      leftEarly: boolean;
      adherence: { value: number };
      conformance: { value: number };
      exceptions: { start: string; scheduled: string; actual: string }[];
    };
    type Agent = {
      agentId: string;
      shifts: number;
      attendanceRate: { value: number; numerator: number; denominator: number };
      lateArrivals: number;
      earlyLeaves: number;
      absences: number;
    };
    const res = await t.admin.get<{ shifts: Shift[]; agents: Agent[] }>(
      `/v1/attendance?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(24))}&teamId=${team.id}`,
    );
    expect(res.status, res.text).toBe(200);
    const adaShift = res.body.shifts.find((s) => s.agentId === ada.id);
    expect(adaShift).toMatchObject({ status: 'attended', lateMinutes: 10, late: true, earlyLeaveMinutes: 10, leftEarly: true });
    // In adherence: 09:10–12:00 on queue, 12:00–13:00 at lunch, 13:05–16:50 on queue = 455 of 480 minutes.
    expect(adaShift?.adherence.value).toBe(0.9479);
    // Worked on queue 395 minutes of the 420 scheduled on queue.
    expect(adaShift?.conformance.value).toBe(0.9405);
    expect(adaShift?.exceptions.map((e) => [e.start, e.scheduled, e.actual])).toEqual([
      [at(9), 'on_queue', 'offline'],
      [at(13), 'on_queue', 'away'],
      [at(16, 50), 'on_queue', 'offline'],
    ]);
    expect(res.body.shifts.find((s) => s.agentId === bo.id)).toMatchObject({ status: 'absent' });
    const agent = (id: string) => res.body.agents.find((a) => a.agentId === id);
    expect(agent(ada.id)).toMatchObject({
      shifts: 1,
      lateArrivals: 1,
      earlyLeaves: 1,
      absences: 0,
      attendanceRate: { value: 1 },
    });
    expect(agent(bo.id)).toMatchObject({ shifts: 1, absences: 1, attendanceRate: { value: 0, numerator: 0, denominator: 1 } });

    // A wider grace forgives both: for one request, or as the tenant's setting.
    const attendanceOfAda = async (extra = '') =>
      (
        await t.admin.get<{ shifts: Shift[] }>(
          `/v1/attendance?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(24))}&agentId=${ada.id}${extra}`,
        )
      ).body.shifts[0];
    expect(await attendanceOfAda('&lateGraceMinutes=15&earlyLeaveGraceMinutes=15')).toMatchObject({
      late: false,
      leftEarly: false,
    });
    const settings = await t.admin.patch<{ attendance: Record<string, unknown> }>('/v1/settings', {
      attendance: { lateGraceMinutes: 15, earlyLeaveGraceMinutes: 15 },
    });
    expect(settings.status, settings.text).toBe(200);
    expect(settings.body.attendance).toEqual({
      lateGraceMinutes: 15,
      earlyLeaveGraceMinutes: 15,
      presentStates: ['available', 'busy', 'wrapup', 'away'],
    });
    expect(await attendanceOfAda()).toMatchObject({ late: false, leftEarly: false });
    expect(await attendanceOfAda('&lateGraceMinutes=5')).toMatchObject({ late: true, leftEarly: false });
    const nonePresent = await t.admin.patch('/v1/settings', { attendance: { presentStates: [] } });
    expect(expectProblem(nonePresent, 422, 'VALIDATION_FAILED').errors?.[0]?.pointer).toBe('/attendance/presentStates');

    // The same id replaces the shift; listing and deleting.
    await t.admin.post('/v1/schedules', { shifts: [{ ...shift(bo.id, 'bo-1'), start: at(10) }] });
    const listed = await t.admin.get<{ data: { id: string; start: string }[] }>(
      `/v1/schedules?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(24))}&agentId=${bo.id}`,
    );
    expect(listed.body.data).toEqual([expect.objectContaining({ id: 'bo-1', start: at(10) })]);
    expect((await t.admin.delete('/v1/schedules/bo-1')).body).toEqual({ id: 'bo-1', outcome: 'deleted' });
    expectProblem(await t.admin.delete('/v1/schedules/bo-1'), 404, 'NOT_FOUND');
  });

  it('refuses shifts that do not hold together, all of them, with a pointer for each problem', async () => {
    const t = await createTenant();
    const ada = await createAgent(t);
    const res = await t.admin.post('/v1/schedules', {
      shifts: [
        { agentId: ada.id, start: at(9), end: at(17), activities: [{ type: 'break', start: at(8), end: at(8, 15) }] },
        { agentId: ada.id, start: at(9), end: at(8) },
        {
          agentId: ada.id,
          start: at(9),
          end: at(17),
          activities: [
            { type: 'lunch', start: at(12), end: at(13) },
            { type: 'break', start: at(12, 30), end: at(12, 45) },
          ],
        },
        { agentId: 'agt_nobody', start: at(9), end: at(17) },
      ],
    });
    const pointers = (expectProblem(res, 422, 'VALIDATION_FAILED').errors ?? []).map((e) => e.pointer);
    expect(pointers).toEqual(['/shifts/0/activities/0', '/shifts/1/end', '/shifts/2/activities/1']);
    const unknown = await t.admin.post('/v1/schedules', { shifts: [{ agentId: 'agt_nobody', start: at(9), end: at(17) }] });
    expect(expectProblem(unknown, 422, 'VALIDATION_FAILED').errors?.[0]?.pointer).toBe('/shifts/0/agentId');
    expect(
      (await t.admin.get<{ data: unknown[] }>(`/v1/schedules?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(24))}`))
        .body.data,
    ).toEqual([]);
  });
});
