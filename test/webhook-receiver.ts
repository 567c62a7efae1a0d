import http from 'node:http';
import { Webhook } from 'standardwebhooks';

/** What the receiver saw of one request, and whether the `standardwebhooks` library verified it. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** `new Webhook(secret).verify(body, headers)` passed, for each secret the test said to expect, in order. */
  verifiedWith: boolean[];
  verified: boolean;
  /** What `verify` returned (the parsed body) when a secret verified. */
  payload: unknown;
  /** The library's error with the first secret, when none verified. */
  error: string | null;
  /** The status it answered, or `hang` (it never answered). */
  answered: number | 'hang';
  receivedAt: number;
}

/**
 * What a test tells the receiver about one path: the secrets to verify with, and how to answer the requests that
 * come after it said so (in turn; the last repeats).
 */
export interface ReceiverPath {
  secrets: string[];
  respond: (number | 'hang')[];
}

const MAX_BODY = 1024 * 1024;

/**
 * A webhook endpoint for the tests, in Node: `POST /hooks/<name>` verifies each request with the reference
 * `standardwebhooks` library against the secrets a test set for `<name>` and records it, then answers as told
 * (a status, or never). Control: `PUT /control/paths/<name>` `{ secrets, respond }`, `GET /control/requests/<name>`.
 * Each test uses names of its own, so tests never share state.
 */
export async function startWebhookReceiver(): Promise<{ url: string; controlUrl: string; close: () => Promise<void> }> {
  const paths = new Map<string, ReceiverPath & { from: number }>();
  const received = new Map<string, ReceivedWebhook[]>();
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.method === 'PUT' && url.pathname.startsWith('/control/paths/')) {
        const name = decodeURIComponent(url.pathname.slice('/control/paths/'.length));
        const config = JSON.parse(body || '{}') as Partial<ReceiverPath>;
        const from = received.get(name)?.length ?? 0;
        paths.set(name, { secrets: config.secrets ?? [], respond: config.respond?.length ? config.respond : [200], from });
        return json(200, paths.get(name));
      }
      if (req.method === 'GET' && url.pathname.startsWith('/control/requests/')) {
        const name = decodeURIComponent(url.pathname.slice('/control/requests/'.length));
        return json(200, received.get(name) ?? []);
      }
      if (req.method === 'POST' && url.pathname.startsWith('/hooks/')) {
        const name = decodeURIComponent(url.pathname.slice('/hooks/'.length));
        const config = paths.get(name) ?? { secrets: [], respond: [200], from: 0 };
        const list = received.get(name) ?? [];
        received.set(name, list);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        let payload: unknown = null;
        let error: string | null = null;
        const verifiedWith = config.secrets.map((secret, i) => {
          try {
            const parsed = new Webhook(secret).verify(body, headers);
            payload ??= parsed;
            return true;
          } catch (err) {
            if (i === 0) error = err instanceof Error ? err.message : String(err);
            return false;
          }
        });
        const answer = config.respond[Math.min(list.length - config.from, config.respond.length - 1)] ?? 200;
        const verified = verifiedWith.some(Boolean);
        list.push({
          path: name,
          headers,
          body,
          verifiedWith,
          verified,
          payload,
          error: verified ? null : error,
          answered: answer,
          receivedAt: Date.now(),
        });
        if (answer === 'hang') {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        return json(answer, { received: true, status: answer });
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    controlUrl: `http://127.0.0.1:${port}/control`,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
