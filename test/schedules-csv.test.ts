import { describe, expect, it } from 'vitest';
import { createAgent, createTenant, type TestTenant } from './factories';
import { expectProblem } from './helpers/api';

interface Shift {
  id: string;
  agentId: string;
  start: string;
  end: string;
  activities: { type: string; start: string; end: string }[];
}

const HEADER = 'shiftId,agent,start,end,activity,activityStart,activityEnd';
const postCsv = (t: TestTenant, csv: string, contentType = 'text/csv; charset=utf-8') =>
  t.admin.post<{ data: Shift[] }>('/v1/schedules', undefined, { rawBody: csv, headers: { 'Content-Type': contentType } });
const listShifts = async (t: TestTenant) =>
  (await t.admin.get<{ data: Shift[] }>('/v1/schedules?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z')).body.data;
const pointers = (res: Parameters<typeof expectProblem>[0]) =>
  (expectProblem(res, 422, 'VALIDATION_FAILED').errors ?? []).map((e) => e.pointer);

describe('shifts as CSV', () => {
  it('reads one row per activity or per shift, agents by id or external key, and replaces shifts sent again', async () => {
    const t = await createTenant();
    const ada = await createAgent(t);
    const bo = await createAgent(t, { externalKeys: [{ provider: 'generic', key: 'sip:1002' }] });
    const csv = [
      // Columns in another order than documented; CRLF line ends; a quoted field.
      'agent,shiftId,start,end,activity,activityStart,activityEnd',
      `${ada.id},ada-0302,2026-03-02T08:00:00Z,2026-03-02T16:00:00Z,lunch,2026-03-02T11:00:00Z,2026-03-02T12:00:00Z`,
      // The shift's columns repeated (an instant spelt another way), or left empty.
      `${ada.id},ada-0302,2026-03-02T09:00:00+01:00,2026-03-02T16:00:00Z,break,2026-03-02T14:00:00Z,2026-03-02T14:15:00Z`,
      ',ada-0302,,,"training",2026-03-02T15:00:00Z,2026-03-02T16:00:00Z',
      'sip:1002,bo-0302,2026-03-02T12:00:00Z,2026-03-02T20:00:00Z,,,',
      '',
    ].join('\r\n');
    const res = await postCsv(t, csv);
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toEqual([
      {
        id: 'ada-0302',
        agentId: ada.id,
        start: '2026-03-02T08:00:00.000Z',
        end: '2026-03-02T16:00:00.000Z',
        activities: [
          { type: 'lunch', start: '2026-03-02T11:00:00.000Z', end: '2026-03-02T12:00:00.000Z' },
          { type: 'break', start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T14:15:00.000Z' },
          { type: 'training', start: '2026-03-02T15:00:00.000Z', end: '2026-03-02T16:00:00.000Z' },
        ],
      },
      { id: 'bo-0302', agentId: bo.id, start: '2026-03-02T12:00:00.000Z', end: '2026-03-02T20:00:00.000Z', activities: [] },
    ]);
    expect(await listShifts(t)).toEqual(res.body.data);

    // The file again with Bo's shift moved and Ada's lunch gone: replaced, not added.
    const again = await postCsv(
      t,
      [
        HEADER,
        `ada-0302,${ada.id},2026-03-02T08:00:00Z,2026-03-02T16:00:00Z,,,`,
        'bo-0302,sip:1002,2026-03-02T13:00:00Z,2026-03-02T21:00:00Z,,,',
      ].join('\n'),
    );
    expect(again.status, again.text).toBe(200);
    expect((await listShifts(t)).map((s) => [s.id, s.start, s.activities.length])).toEqual([
      ['ada-0302', '2026-03-02T08:00:00.000Z', 0],
      ['bo-0302', '2026-03-02T13:00:00.000Z', 0],
    ]);
  });

  it('refuses the whole file with a pointer at the row and column of each problem', async () => {
    const t = await createTenant();
    const other = await createTenant();
    const ada = await createAgent(t);
    const stranger = await createAgent(other, { externalKeys: [{ provider: 'generic', key: 'x-9' }] });
    await createAgent(t, { externalKeys: [{ provider: 'generic', key: 'twin' }] });
    await createAgent(t, { externalKeys: [{ provider: 'twilio', key: 'twin' }] });
    const rows = [
      HEADER,
      /* 2 */ `ok,${ada.id},2026-03-02T08:00:00Z,2026-03-02T16:00:00Z,,,`,
      /* 3 */ `late,${ada.id},2026-03-02T08:00:00Z,2026-03-02T07:00:00Z,,,`,
      /* 4 */ `acts,${ada.id},2026-03-03T08:00:00Z,2026-03-03T16:00:00Z,lunch,2026-03-03T11:00:00Z,2026-03-03T12:00:00Z`,
      /* 5 */ 'acts,,,,break,2026-03-03T11:30:00Z,2026-03-03T11:45:00Z',
      /* 6 */ `naps,${ada.id},2026-03-03T08:00:00Z,2026-03-03T16:00:00Z,nap,2026-03-03T13:00:00Z,2026-03-03T13:30:00Z`,
      /* 7 */ 'acts,,2026-03-03T09:00:00Z,,,,',
      /* 8 */ 'acts,,,,meeting,2026-03-03T15:00:00Z,',
      /* 9 */ 'acts,,,,,2026-03-03T15:00:00Z,2026-03-03T15:30:00Z',
      /* 10 */ `when,${ada.id},tomorrow,2026-03-04T16:00:00Z,,,`,
      /* 11 */ 'nokey,x-9,2026-03-04T08:00:00Z,2026-03-04T16:00:00Z,,,',
      /* 12 */ 'twins,twin,2026-03-04T08:00:00Z,2026-03-04T16:00:00Z,,,',
      /* 13 */ 'short,only,three',
      /* 14 */ ',,,,,,',
      /* 15 */ `noend,${ada.id},2026-03-05T08:00:00Z,,,,`,
    ];
    const res = await postCsv(t, rows.join('\n'));
    expect(pointers(res).sort(byRow)).toEqual([
      '/rows/3/end', // the end before the start
      '/rows/5', // the break overlaps the lunch
      '/rows/6/activity', // no such activity
      '/rows/7/start', // another start than on line 4
      '/rows/8/activityEnd',
      '/rows/9/activity',
      '/rows/10/start',
      '/rows/11/agent', // another tenant's agent's key
      '/rows/12/agent', // two agents have this key
      '/rows/13',
      '/rows/14/shiftId',
      '/rows/15/end',
    ]);
    expect(await listShifts(t)).toEqual([]);

    // Another tenant's agent id is as unknown as any (found once the file itself is sound).
    const foreign = await postCsv(t, [HEADER, `f,${stranger.id},2026-03-02T08:00:00Z,2026-03-02T16:00:00Z,,,`].join('\n'));
    expect(pointers(foreign)).toEqual(['/rows/2/agent']);
    expect(await listShifts(t)).toEqual([]);
  });

  it('refuses a header that is not this format, a file without rows, too many shifts, a body too large', async () => {
    const t = await createTenant();
    const ada = await createAgent(t);
    expect(pointers(await postCsv(t, 'shiftId,agentId,start,shiftEnd\nx,y,z,w'))).toEqual([
      '/header/agentId',
      '/header/shiftEnd',
      '/header/agent',
      '/header/end',
    ]);
    expect(pointers(await postCsv(t, `${HEADER}\n`))).toEqual(['/rows']);
    expect(pointers(await postCsv(t, ''))).toEqual(['/header']);

    const row = (i: number) => `s-${i},${ada.id},2026-03-02T08:00:00Z,2026-03-02T09:00:00Z,,,`;
    const many = [HEADER, ...Array.from({ length: 501 }, (_, i) => row(i))].join('\n');
    expect(pointers(await postCsv(t, many))).toEqual(['/rows/502/shiftId']);
    expect(await listShifts(t)).toEqual([]);
    const huge = [HEADER, ...Array.from({ length: 20_000 }, (_, i) => row(i))].join('\n');
    expectProblem(await postCsv(t, huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('takes JSON or CSV only, and the same shift id twice in one JSON request is a 422, not a 500', async () => {
    const t = await createTenant();
    const ada = await createAgent(t);
    expectProblem(await t.admin.post('/v1/schedules'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await postCsv(t, 'shiftId\n', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const shift = { id: 'twice', agentId: ada.id, start: '2026-03-02T08:00:00Z', end: '2026-03-02T16:00:00Z' };
    const res = await t.admin.post('/v1/schedules', { shifts: [shift, { ...shift, start: '2026-03-02T09:00:00Z' }] });
    expect(pointers(res)).toEqual(['/shifts/1/id']);
    expect(await listShifts(t)).toEqual([]);
  });
});

/** Pointers by line, then as text: the order problems are listed in does not matter, only where they point. */
function byRow(a: string, b: string): number {
  const line = (p: string) => Number(p.split('/')[2]);
  return line(a) - line(b) || a.localeCompare(b);
}
