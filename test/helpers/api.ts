import { exports } from 'cloudflare:workers';
import { TEST_PLATFORM_TOKEN } from '../constants';

export { TEST_PLATFORM_TOKEN };

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  /** Bearer credential; `null` sends none. */
  token?: string | null;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

const worker = (exports as unknown as { default: { fetch: (req: Request) => Promise<Response> } }).default;

/** Calls the Worker in-process (same workerd, same Durable Objects) and reads the JSON answer. */
export async function call<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  const res = await worker.fetch(new Request(`http://callboard.test${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('Content-Type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** A client bound to one credential. */
export function client(token: string | null) {
  return {
    token,
    get: <T = any>(path: string, o: Omit<RequestOptions, 'token'> = {}) => call<T>('GET', path, { ...o, token }),
    post: <T = any>(path: string, body?: unknown, o: Omit<RequestOptions, 'token' | 'body'> = {}) =>
      call<T>('POST', path, { ...o, body, token }),
    patch: <T = any>(path: string, body?: unknown, o: Omit<RequestOptions, 'token' | 'body'> = {}) =>
      call<T>('PATCH', path, { ...o, body, token }),
    put: <T = any>(path: string, body?: unknown, o: Omit<RequestOptions, 'token' | 'body'> = {}) =>
      call<T>('PUT', path, { ...o, body, token }),
    delete: <T = any>(path: string, o: Omit<RequestOptions, 'token'> = {}) => call<T>('DELETE', path, { ...o, token }),
  };
}
export type Client = ReturnType<typeof client>;

export const platform = client(TEST_PLATFORM_TOKEN);

/** Asserts the RFC 9457 shape every error shares, and returns the body. */
export function expectProblem(res: ApiResponse, status: number, code: string) {
  const summary = `${res.status} ${res.text.slice(0, 500)}`;
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${summary}`);
  const ct = res.headers.get('Content-Type') ?? '';
  if (!ct.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${ct}: ${summary}`);
  const requestId = res.headers.get('X-Request-Id');
  const b = res.body as Record<string, unknown>;
  if (b.code !== code || b.status !== status || typeof b.title !== 'string' || typeof b.detail !== 'string') {
    throw new Error(`problem body mismatch: ${summary}`);
  }
  if (!requestId || b.requestId !== requestId) throw new Error(`request id missing or different: ${summary}`);
  if (b.type !== `/problems/${code.toLowerCase().replaceAll('_', '-')}`) throw new Error(`bad type: ${summary}`);
  return b as { code: string; detail: string; errors?: { in: string; pointer: string; detail: string }[] };
}
