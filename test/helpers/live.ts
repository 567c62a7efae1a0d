import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';

const worker = (exports as unknown as { default: { fetch: (req: Request) => Promise<Response> } }).default;

/** A live-stream client for tests: every message kept in order, waits for a message or the close, never sleeps. */
export interface LiveSocket {
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first message (from the start) that matches, waiting for it if needed. */
  next(match: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  send(message: unknown): void;
  ack(): void;
  close(): void;
}

/** Opens `GET /v1/live/stream` in-process; throws with the problem when the upgrade is refused. */
export async function openStream(query: string, token: string | null): Promise<LiveSocket> {
  const headers = new Headers({ Upgrade: 'websocket' });
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const res = await worker.fetch(new Request(`http://callboard.test/v1/live/stream${query}`, { headers }));
  const ws = res.webSocket;
  if (res.status !== 101 || !ws) throw new Error(`stream refused: ${res.status} ${await res.text()}`);
  ws.accept();
  const messages: any[] = [];
  const waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(e.data as string);
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })),
  );
  return {
    messages,
    closed,
    next(match, timeoutMs = 10_000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching live message within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    send: (message) => ws.send(JSON.stringify(message)),
    ack: () => ws.send(JSON.stringify({ type: 'ack', n: messages.at(-1)?.n ?? 0 })),
    close: () => ws.close(1000, 'done'),
  };
}

/** Expects an upgrade to be refused with a problem. */
export async function expectStreamRefused(query: string, token: string | null, status: number, code: string) {
  const headers = new Headers({ Upgrade: 'websocket' });
  if (token) headers.set('Authorization', `Bearer ${token}`);
  const res = await worker.fetch(new Request(`http://callboard.test/v1/live/stream${query}`, { headers }));
  const body = (await res.json()) as { code: string };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.code).toBe(code);
  return res;
}
