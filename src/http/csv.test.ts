import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../lib/log';
import type { AppEnv } from './context';
import { csvResponse } from './csv';

const LINE = `${'x'.repeat(98)}\r\n`; // 100 characters

/** An app answering with the lines of `source`, recording whether `done` ran. */
function appOf(source: () => AsyncGenerator<string>) {
  const state = { done: 0, logged: [] as string[] };
  const log: Logger = {
    child: () => log,
    debug: () => {},
    info: () => {},
    warn: (msg) => state.logged.push(msg),
    error: (msg) => state.logged.push(msg),
  };
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('log', log);
    await next();
  });
  app.get('/x.csv', (c) =>
    csvResponse(c, 'x.csv', source(), async () => {
      state.done++;
    }),
  );
  return { app, state };
}

describe('csvResponse', () => {
  it('asks the producer for lines only as the client reads, and stops it when the client goes away', async () => {
    let produced = 0;
    let stopped = false;
    const { app, state } = appOf(async function* () {
      try {
        for (;;) {
          produced++;
          yield LINE;
        }
      } finally {
        stopped = true;
      }
    });
    const res = await app.request('/x.csv');
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="x.csv"');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    for (let i = 0; i < 3; i++) bytes += ((await reader.read()).value as Uint8Array).length;
    expect(bytes).toBeGreaterThanOrEqual(3 * 16 * 1024);
    // An endless producer: what it made is what was read plus at most a couple of chunks buffered ahead.
    expect(produced * 100).toBeLessThan(bytes + 3 * 16 * 1024 + 100);
    await reader.cancel();
    expect(stopped).toBe(true);
    expect(state.done).toBe(1);
    expect(state.logged).toEqual([]);
  });

  it('writes every line in order, then runs done once', async () => {
    const { app, state } = appOf(async function* () {
      for (let i = 0; i < 1000; i++) yield `${i}\r\n`;
    });
    const text = await (await app.request('/x.csv')).text();
    expect(text).toBe(Array.from({ length: 1000 }, (_, i) => `${i}\r\n`).join(''));
    expect(state.done).toBe(1);
  });

  it('a failure after the first bytes breaks the download instead of ending it like a complete file', async () => {
    const { app, state } = appOf(async function* () {
      for (let i = 0; i < 500; i++) yield LINE;
      throw new Error('postgres went away');
    });
    const res = await app.request('/x.csv');
    await expect(res.text()).rejects.toThrow('postgres went away');
    expect(state.done).toBe(1);
    expect(state.logged).toEqual(['csv: stream failed']);
  });
});
