// Sending deliveries with bounded concurrency: a network error, a 5xx, 408 or 429 is retried with
// exponential backoff (Retry-After honoured) and the request re-signed each time; any other 4xx is
// counted and shown, never retried; nothing a request does stops the run.

/**
 * @typedef {{ kind: string, url: string, body: string, headers: () => Record<string, string> }} Request
 *   `headers()` is called for every attempt, so a signature with a timestamp is fresh on a retry.
 */

/** The sender's counters, shown by the progress line and the summary. */
export function newSendStats() {
  return {
    requests: 0,
    ok: 0,
    retries: 0,
    retrying: 0,
    inFlight: 0,
    refused: 0,
    failed: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    lastProblem: null,
    problems: {},
  };
}

/**
 * @param {{ stats: ReturnType<typeof newSendStats>, concurrency?: number, maxAttempts?: number,
 *   fetch?: typeof fetch, sleep?: (ms: number) => Promise<void>, timeoutMs?: number, random?: () => number }} o
 *   `sleep` replaces the backoff wait (tests); by default stop() cuts it short.
 */
export function createSender({
  stats,
  concurrency = 4,
  maxAttempts = 8,
  fetch: doFetch = globalThis.fetch,
  sleep,
  timeoutMs = 30_000,
  random = Math.random,
}) {
  const running = new Set();
  let stopped = false;
  // Backoff waits that stop() cuts short.
  const sleepers = new Set();
  const pause =
    sleep ??
    ((ms) =>
      new Promise((resolve) => {
        const entry = {
          timer: setTimeout(() => entry.wake(), ms),
          wake: () => {
            sleepers.delete(entry);
            resolve();
          },
        };
        sleepers.add(entry);
      }));

  const note = (key) => {
    stats.lastProblem = key;
    stats.problems[key] = (stats.problems[key] ?? 0) + 1;
  };

  async function attempt(req) {
    for (let n = 1; ; n++) {
      let retryAfterMs = 0;
      let problem;
      try {
        const res = await doFetch(req.url, {
          method: 'POST',
          headers: req.headers(),
          body: req.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        if (res.ok) {
          stats.ok++;
          countResults(text);
          return;
        }
        const code = codeOf(text);
        if (res.status !== 408 && res.status !== 429 && res.status < 500) {
          stats.refused++;
          note(`${req.kind} ${res.status}${code ? ` ${code}` : ''}`);
          return;
        }
        problem = `${req.kind} ${res.status}${code ? ` ${code}` : ''}`;
        retryAfterMs = Number(res.headers.get('retry-after')) * 1000 || 0;
      } catch (err) {
        problem = `${req.kind} ${err?.cause?.code ?? err?.name ?? 'network error'}`;
      }
      if (n >= maxAttempts || stopped) {
        stats.failed++;
        note(problem);
        return;
      }
      stats.retries++;
      stats.retrying++;
      const backoff = Math.min(30_000, 500 * 2 ** (n - 1)) * (0.5 + random() / 2);
      await pause(Math.max(backoff, retryAfterMs));
      stats.retrying--;
    }
  }

  /** The ingest answer's counts, when the answer is one (the generic connector, POST /v1/events, Twilio's JSON). */
  function countResults(text) {
    try {
      const body = JSON.parse(text);
      if (typeof body?.accepted === 'number') stats.accepted += body.accepted;
      if (typeof body?.duplicates === 'number') stats.duplicates += body.duplicates;
      if (typeof body?.rejected === 'number' && body.rejected > 0) {
        stats.rejected += body.rejected;
        const reason = body.results?.find((r) => r.status === 'rejected')?.reason;
        if (reason) note(`event rejected: ${reason}`);
      }
    } catch {
      // TwiML, or an empty answer: nothing to count.
    }
  }

  return {
    /** Starts a request; resolves once it has a slot (so a slow server slows the caller down). */
    async send(req) {
      while (running.size >= concurrency) await Promise.race(running);
      stats.requests++;
      stats.inFlight++;
      const p = attempt(req).finally(() => {
        stats.inFlight--;
        running.delete(p);
      });
      running.add(p);
    },
    /** Waits for every request started. */
    async drain() {
      while (running.size > 0) await Promise.race(running);
    },
    /** Requests still retrying give up after their current attempt. */
    stop() {
      stopped = true;
      for (const s of [...sleepers]) {
        clearTimeout(s.timer);
        s.wake();
      }
    },
  };
}

function codeOf(text) {
  try {
    const body = JSON.parse(text);
    return typeof body?.code === 'string' ? body.code : null;
  } catch {
    return null;
  }
}
