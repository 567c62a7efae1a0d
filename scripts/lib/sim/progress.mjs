// The run's counters and its one-line progress display: rewritten in place on a terminal, printed every
// so often otherwise (a log file, CI).

/** Counters of what was sent, from the facts (simulated or replayed) as they are handed to the sender. */
export function newCallStats() {
  return { calls: 0, offered: 0, answered: 0, abandoned: 0, timedOut: 0, otherOutcomes: 0, transfers: 0, waiting: 0, facts: 0 };
}

/** Counts one fact: a simulated one (`call.started`…) or a replayed wire event (`interaction.started`…). */
export function countFact(stats, fact) {
  stats.facts++;
  switch (fact.type) {
    case 'call.started':
    case 'interaction.started':
      stats.calls++;
      break;
    case 'queue.joined':
      stats.offered++;
      stats.waiting++;
      break;
    case 'queue.left':
      stats.waiting = Math.max(0, stats.waiting - 1);
      if (fact.outcome === 'answered') stats.answered++;
      else if (fact.outcome === 'abandoned') stats.abandoned++;
      else if (fact.outcome === 'timeout') stats.timedOut++;
      else stats.otherOutcomes++;
      break;
    case 'transfer':
      stats.transfers++;
      break;
  }
}

const n = (v) => v.toLocaleString('en-US');

/** `1h02m`, `3m05s`, `12s`. */
export function shortDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * The progress line: `compact` for a terminal (fits 80 columns while the numbers are small), else the long
 * form for a log.
 * @param {{ calls: ReturnType<typeof newCallStats>, send: ReturnType<typeof import('./sender.mjs').newSendStats>,
 *   clockMs: number, nowMs: number, speed: number, timeZone: string, done?: boolean, compact?: boolean }} o
 */
export function progressLine({ calls, send, clockMs, nowMs, speed, timeZone, done = false, compact = false }) {
  const format = (ms) =>
    new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
  const clock = format(clockMs);
  const behind = nowMs - clockMs;
  const events = send.accepted + send.duplicates + send.rejected;
  const errors = send.refused + send.failed;
  if (compact) {
    // The date only when it is not today's.
    const shown = clock.slice(0, 10) === format(nowMs).slice(0, 10) ? clock.slice(11) : clock;
    const parts = [
      `${done ? 'done' : 'sim'} ${shown} ${speed}×${behind > 5_000 ? ` -${shortDuration(behind)}` : ''}`,
      `offered ${n(calls.offered)} answered ${n(calls.answered)} abandoned ${n(calls.abandoned)} waiting ${n(calls.waiting)}`,
      `${n(events)} events, ${n(errors)} errors${send.retrying ? ` (${n(send.retrying)} retrying)` : ''}`,
    ];
    if (errors > 0 && send.lastProblem) parts.push(send.lastProblem);
    return parts.join(' | ');
  }
  const parts = [
    `${done ? 'done' : 'sim'} ${clock} (${speed}×${behind > 5_000 ? `, ${shortDuration(behind)} behind now` : ''})`,
    `calls ${n(calls.calls)}: offered ${n(calls.offered)}, answered ${n(calls.answered)}, abandoned ${n(calls.abandoned)}` +
      `${calls.timedOut ? `, timed out ${n(calls.timedOut)}` : ''}${calls.otherOutcomes ? `, other ${n(calls.otherOutcomes)}` : ''}` +
      `, waiting ${n(calls.waiting)}`,
    `sent ${n(send.requests)} requests, events accepted ${n(send.accepted)}${send.duplicates ? `, duplicate ${n(send.duplicates)}` : ''}` +
      `${send.rejected ? `, rejected ${n(send.rejected)}` : ''}`,
    `errors ${n(errors)}${send.retrying ? `, retrying ${n(send.retrying)}` : ''}`,
  ];
  if (send.lastProblem) parts.push(`last: ${send.lastProblem}`);
  return parts.join(' | ');
}

/**
 * Shows a line from `render(done, compact)`: compact and in place every 250 ms on a TTY, else a full line every `everyMs`.
 * @param {{ stream: NodeJS.WriteStream, render: (done: boolean, compact: boolean) => string, everyMs: number }} o
 */
export function startProgress({ stream, render, everyMs }) {
  const tty = Boolean(stream.isTTY);
  const show = (done) => {
    const line = render(done, tty);
    const width = (stream.columns ?? 200) - 1;
    if (tty) stream.write(`\r${line.length > width ? `${line.slice(0, width - 1)}…` : line}\x1b[K${done ? '\n' : ''}`);
    else stream.write(`${new Date().toISOString()} ${line}\n`);
  };
  const timer = setInterval(() => show(false), tty ? 250 : everyMs);
  timer.unref();
  return {
    /** Shows the final line. */
    finish() {
      clearInterval(timer);
      show(true);
    },
  };
}
