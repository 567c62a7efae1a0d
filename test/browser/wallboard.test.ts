import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContextOptions, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, startStack } from '../../scripts/lib/stack.mjs';

/**
 * The wallboard page (`GET /wallboard`) in headless Chromium against a whole local stack of its own (Postgres,
 * migrations, the Neon proxy, `wrangler dev`): a live token's wallboardUrl opened as a wall TV would, events posted
 * through the API, the tiles followed until they show them. The robustness a real server cannot be made to show on
 * demand (an older snapshot after a newer one, a dead socket, an expired token, backoff) runs against a stream that
 * Playwright plays itself (`routeWebSocket`) under a fake clock. Screenshots land in test-artifacts/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const ARTIFACTS = path.join(root, 'test-artifacts');
// What a locked-down machine needs (no sandbox as root, no GPU, no calls home); Playwright adds a fresh profile.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TV: BrowserContextOptions = { viewport: { width: 1920, height: 1080 }, timezoneId: 'UTC' };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  timezoneId: 'UTC',
};

type Api = (method: string, p: string, body?: unknown, token?: string) => Promise<any>;

if (!HAVE_CHROMIUM && IN_CI) {
  describe('the wallboard in a browser', () => {
    it('needs Chromium', () => {
      throw new Error(
        `No Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium, as .ci/run does) or set CHROMIUM_PATH.`,
      );
    });
  });
} else {
  describe.skipIf(!HAVE_CHROMIUM)('the wallboard in a browser', () => {
    const cleanup: (() => unknown)[] = [];
    let browser: Browser;
    let base: string;
    let api: Api;
    let platformToken: string;

    beforeAll(async () => {
      const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 12)) {
        throw new Error(
          `wrangler dev needs Node >= 22.12, this is ${process.version}: run vitest through npm or npx (node_modules/.bin/node).`,
        );
      }
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const [stack, launched] = await Promise.all([
        startStack({ name: 'callboard-browser', config: 'wrangler.toml', fastPostgres: true, cleanup }),
        chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
      ]);
      browser = launched;
      ({ base, api, platformToken } = stack);
    });

    afterAll(async () => {
      await browser?.close();
      for (const undo of cleanup.reverse()) await Promise.resolve(undo()).catch(() => {});
    });

    async function open(url: string, options: BrowserContextOptions = TV): Promise<Page> {
      const context = await browser.newContext(options);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(String(err)));
      // A CSP violation is a console error: the page must need nothing its policy refuses.
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content.Security.Policy|Trusted Type/i.test(m.text())) errors.push(m.text());
      });
      pagesErrors.set(page, errors);
      await page.goto(url);
      return page;
    }
    const pagesErrors = new Map<Page, string[]>();
    const closePage = async (page: Page) => {
      expect(pagesErrors.get(page), 'page errors and CSP violations').toEqual([]);
      await page.context().close();
    };

    it('shows what the stream pushes: waiting, agents by state, today; then stops on a revoked key', async () => {
      const { apiKey } = await api(
        'POST',
        '/v1/tenants',
        { name: 'Wallboard', settings: { timeZone: zoneWithoutMidnight() } },
        platformToken,
      );
      const admin = apiKey.key;
      const queue = (name: string) => api('POST', '/v1/queues', { name }, admin);
      const [sales, support, billing] = [await queue('Sales'), await queue('Support'), await queue('Billing')];
      const agent = (name: string, queueIds: string[]) => api('POST', '/v1/agents', { name, queueIds }, admin);
      const [ana, ben, cy] = [await agent('Ana', [sales.id]), await agent('Ben', [sales.id]), await agent('Cy', [support.id])];
      const reader = await api('POST', '/v1/api-keys', { name: 'wall TV', scopes: ['read'] }, admin);
      const issued = await api('POST', '/v1/live/tokens', { ttlSeconds: 3600 }, reader.key);
      expect(issued.wallboardUrl).toBe(`${base}/wallboard#token=${encodeURIComponent(issued.token)}`);

      const page = await open(issued.wallboardUrl);
      const tile = (q: { id: string }) => page.locator(`[data-queue-id="${q.id}"]`);
      const field = (q: { id: string }, name: string) => tile(q).locator(`[data-field="${name}"]`);
      await expectText(field(sales, 'name'), 'Sales');
      await expectText(field(billing, 'name'), 'Billing');
      await expectText(field(support, 'name'), 'Support');
      expect(await page.locator('.tile [data-field="name"]').allTextContents()).toEqual(['Billing', 'Sales', 'Support']);
      await expectText(field(sales, 'waiting'), '0');

      // Now: a caller joined Sales 25 s ago and waits; one waited 10 s and was answered by Ana (60 s talk, 10 s
      // wrap-up); one hung up after 30 s; Ana is available again, Ben busy. Support: two answered, one waiting.
      const now = Date.now();
      const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
      const waitingCaller = (id: string, q: { id: string }, ago: number) => [
        { id: `${id}:s`, type: 'interaction.started', occurredAt: at(ago), interactionId: id, direction: 'inbound' },
        { id: `${id}:j`, type: 'queue.joined', occurredAt: at(ago), interactionId: id, queueId: q.id },
      ];
      const answered = (id: string, q: { id: string }, agentId: string, ago: number, wait: number) => [
        ...waitingCaller(id, q, ago),
        {
          id: `${id}:l`,
          type: 'queue.left',
          occurredAt: at(ago - wait),
          interactionId: id,
          queueId: q.id,
          agentId,
          attrs: { outcome: 'answered' },
        },
        { id: `${id}:c`, type: 'agent.connected', occurredAt: at(ago - wait), interactionId: id, queueId: q.id, agentId },
        {
          id: `${id}:d`,
          type: 'agent.disconnected',
          occurredAt: at(ago - wait - 60),
          interactionId: id,
          agentId,
          attrs: { endedBy: 'customer' },
        },
        { id: `${id}:ws`, type: 'wrapup.started', occurredAt: at(ago - wait - 60), interactionId: id, agentId },
        { id: `${id}:we`, type: 'wrapup.ended', occurredAt: at(ago - wait - 70), interactionId: id, agentId },
        { id: `${id}:e`, type: 'interaction.ended', occurredAt: at(ago - wait - 60), interactionId: id },
      ];
      const abandoned = (id: string, q: { id: string }, ago: number, wait: number) => [
        ...waitingCaller(id, q, ago),
        {
          id: `${id}:l`,
          type: 'queue.left',
          occurredAt: at(ago - wait),
          interactionId: id,
          queueId: q.id,
          attrs: { outcome: 'abandoned' },
        },
        { id: `${id}:e`, type: 'interaction.ended', occurredAt: at(ago - wait), interactionId: id },
      ];
      const state = (agentId: string, s: string, ago: number) => ({
        id: `${agentId}:${s}:${ago}`,
        type: 'agent.state_changed',
        occurredAt: at(ago),
        agentId,
        attrs: { state: s },
      });
      const result = await api(
        'POST',
        '/v1/events',
        {
          events: [
            ...answered('c1', sales, ana.id, 140, 10),
            ...abandoned('c2', sales, 100, 30),
            ...waitingCaller('c3', sales, 25),
            state(ana.id, 'available', 5),
            state(ben.id, 'busy', 5),
            ...answered('c4', support, cy.id, 170, 5),
            ...answered('c5', support, cy.id, 90, 12),
            ...waitingCaller('c6', support, 8),
            state(cy.id, 'busy', 3),
          ],
        },
        admin,
      );
      expect(result.rejected).toBe(0);

      await expectText(field(sales, 'waiting'), '1');
      await expectText(tile(sales).locator('[data-agents="available"]'), '1');
      await expectText(tile(sales).locator('[data-agents="busy"]'), '1');
      await expectText(field(sales, 'offered'), '3');
      await expectText(field(sales, 'answered'), '1');
      await expectText(field(sales, 'abandoned'), '1');
      await expectText(field(sales, 'abandonRate'), '33%');
      await expectText(field(sales, 'asa'), '0:10');
      await expectText(field(sales, 'aht'), '1:10');
      // 1 of 2 within 20 s (the abandon counts in the denominator): 50 %, more than 10 points under 80 %: red.
      await expectText(field(sales, 'serviceLevel').locator('.pct'), '50%');
      expect(await field(sales, 'serviceLevel').getAttribute('data-level')).toBe('red');
      await expectText(field(sales, 'target'), '80%');
      await expectText(field(support, 'serviceLevel').locator('.pct'), '100%');
      expect(await field(support, 'serviceLevel').getAttribute('data-level')).toBe('green');
      await expectText(field(support, 'waiting'), '1');
      // The totals strip sums the queues: 2 waiting, 6 offered; SL (1 + 2) / (2 + 2).
      await expectText(page.locator('[data-total="waiting"]'), '2');
      await expectText(page.locator('[data-total="offered"]'), '6');
      await expectText(page.locator('[data-total="answered"]'), '3');
      await expectText(page.locator('[data-total="serviceLevel"]'), '75%');

      // The longest wait ticks on the page (no push needed): amber past the 20 s threshold, red from 60 s.
      const longest = field(sales, 'longestWait');
      const before = await longest.evaluate((el) => ({ text: el.textContent ?? '', level: el.getAttribute('data-level') }));
      const [m = '0', s = '0'] = before.text.split(':');
      expect(before.text).toMatch(/^\d+:\d\d$/);
      expect(before.level).toBe(Number(m) * 60 + Number(s) >= 60 ? 'red' : 'amber');
      await page.waitForFunction(([el, text]) => (el as { textContent: string | null }).textContent !== text, [
        await longest.elementHandle(),
        before.text,
      ] as const);

      // The rolling window follows the toggle and stays in the address.
      await expectText(field(sales, 'windowOffered'), '3');
      await page.locator('[data-window="60"]').click();
      await expectText(field(sales, 'windowMinutes'), '60');
      expect(new URL(page.url()).searchParams.get('window')).toBe('60');
      expect(new URL(page.url()).hash).toContain('token=');
      await page.locator('[data-window="15"]').click();

      await page.screenshot({ path: path.join(ARTIFACTS, 'wallboard.png'), animations: 'disabled' });
      const phone = await open(issued.wallboardUrl, PHONE);
      await expectText(phone.locator(`[data-queue-id="${sales.id}"] [data-field="aht"]`), '1:10');
      const [first, second] = await phone
        .locator('.tile')
        .evaluateAll((tiles) => tiles.slice(0, 2).map((t) => t.getBoundingClientRect().x));
      expect(first).toBe(second); // one column
      await phone.screenshot({ path: path.join(ARTIFACTS, 'wallboard-phone.png'), fullPage: true, animations: 'disabled' });
      await closePage(phone);

      // Revoking the key closes its tokens' connections (4003): the page says so, dims the tiles and stops.
      await api('DELETE', `/v1/api-keys/${reader.id}`, undefined, admin);
      await page.locator('body[data-stopped="revoked"].stale').waitFor();
      await page.waitForFunction(() => {
        const w = globalThis as any; // the browser's window (this file is type-checked without the DOM)
        const tiles: unknown[] = [...w.document.querySelectorAll('.tile')];
        return tiles.length === 3 && tiles.every((t) => Number(w.getComputedStyle(t).opacity) < 0.5);
      }); // dimmed
      await expectText(page.locator('#connection'), /revoked/);
      expect(await page.locator('#help').isVisible()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, 'wallboard-revoked.png'), animations: 'disabled' });
      await closePage(page);
    });

    it('says why a link that is not valid shows nothing, and how to get one without a token', async () => {
      const page = await open(`${base}/wallboard#token=not-a-token`);
      await page.locator('body[data-stopped="invalid"]').waitFor();
      await expectText(page.locator('#connection'), /not valid/);
      await closePage(page);

      const bare = await open(`${base}/wallboard`);
      await expectText(bare.locator('#help-curl'), new RegExp(`^curl -s -X POST ${base}/v1/live/tokens`));
      expect(await bare.locator('#tiles').isVisible()).toBe(false);
      await closePage(bare);
    });

    describe('against a stream the test plays', () => {
      let snapshot: any;
      beforeAll(async () => {
        const { apiKey } = await api('POST', '/v1/tenants', { name: 'Played' }, platformToken);
        const q = await api('POST', '/v1/queues', { name: 'Played queue' }, apiKey.key);
        snapshot = await api('GET', `/v1/queues/${q.id}/live`, undefined, apiKey.key);
      });

      /** A stream endpoint played by the test: each connection's client messages, and a way to send it frames. */
      async function playStream(page: Page) {
        const connections: {
          sent: any[];
          send: (m: Record<string, unknown>) => void;
          close: (code: number) => void;
          closed: boolean;
        }[] = [];
        await page.routeWebSocket(/\/v1\/live\/stream/, (ws) => {
          let n = 0;
          const conn = {
            sent: [] as any[],
            closed: false,
            send: (m: Record<string, unknown>) => ws.send(JSON.stringify({ v: 1, n: ++n, ...m })),
            close: (code: number) => void ws.close({ code, reason: 'test' }),
          };
          ws.onMessage((text) => conn.sent.push(JSON.parse(String(text))));
          ws.onClose(() => {
            conn.closed = true;
          });
          connections.push(conn);
        });
        const next = async (count: number) => {
          await expect.poll(() => connections.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
          return connections[count - 1] as (typeof connections)[number];
        };
        return { connections, next };
      }
      const hello = {
        type: 'hello',
        tenantId: 'tnt_played',
        queues: 'all',
        heartbeatSeconds: 20,
        maxUnacknowledged: 240,
        expiresAt: null,
      };
      const snap = (seq: number, data: Record<string, unknown>, now: number) => ({
        type: 'snapshot',
        queueId: snapshot.queueId,
        seq,
        snapshotAt: new Date(now).toISOString(),
        initial: false,
        data: { ...snapshot, ...data, seq },
      });

      it('acks every message, ignores an older snapshot after a newer one, colours waits by ?amber=&red=, shows alerts', async () => {
        const page = await browser.newContext(TV).then((c) => c.newPage());
        const stream = await playStream(page);
        await page.goto(`${base}/wallboard?amber=5&red=10#token=played`);
        const conn = await stream.next(1);
        const now = Date.now();
        conn.send(hello);
        conn.send(snap(7, { waiting: 2, oldestWaitingSince: new Date(now - 7000).toISOString() }, now));
        conn.send(snap(6, { waiting: 9, oldestWaitingSince: null }, now)); // older, arriving late
        // Alerts as the hub sends them (docs/alerts.md): one about the queue, one about the tenant that then resolves.
        const alert = (id: string, over: Record<string, unknown>) => ({
          type: 'alert',
          event: 'alert.triggered',
          alert: { id, ruleName: 'Rule', severity: 'warning', status: 'triggered', scope: { kind: 'tenant' }, ...over },
        });
        conn.send(
          alert('a1', {
            ruleName: 'Callers waiting over 2 minutes',
            severity: 'critical',
            scope: { kind: 'queue', id: snapshot.queueId },
          }),
        );
        conn.send(alert('a2', { ruleName: 'Service level under target' }));
        conn.send({ ...alert('a2', { status: 'resolved' }), event: 'alert.resolved' });
        conn.send({ type: 'something-new', whatever: true });
        const field = (name: string) => page.locator(`[data-queue-id="${snapshot.queueId}"] [data-field="${name}"]`);
        await expectText(page.locator('#alerts li'), new RegExp(`critical.*${snapshot.name}: Callers waiting over 2 minutes`));
        await expect.poll(() => conn.sent.filter((m) => m.type === 'ack').map((m) => m.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        await expectText(field('waiting'), '2');
        expect(await page.locator('#alerts li').count()).toBe(1);
        // ?amber=5&red=10 instead of the queue's 20 s threshold (which would leave a 7 s wait uncoloured).
        const shown = await field('longestWait').evaluate((el) => ({
          text: el.textContent ?? '',
          level: el.getAttribute('data-level'),
        }));
        const waited = Number(shown.text.split(':')[1]);
        expect(shown.level).toBe(waited >= 10 ? 'red' : 'amber');
        await page.locator(`[data-queue-id="${snapshot.queueId}"] [data-field="longestWait"][data-level="red"]`).waitFor();
        await page.context().close();
      });

      it('shows one site’s queues with ?site= or the selector, the strip summing that site only', async () => {
        const page = await browser.newContext(TV).then((c) => c.newPage());
        const stream = await playStream(page);
        await page.goto(`${base}/wallboard?site=sit_prague#token=played`);
        const conn = await stream.next(1);
        const now = Date.now();
        const sl = (numerator: number, denominator: number) => ({
          ...snapshot.today.metrics.serviceLevel,
          value: numerator / denominator,
          numerator,
          denominator,
        });
        const queue = (queueId: string, name: string, siteId: string | null, waiting: number, met: number, judged: number) => ({
          type: 'snapshot',
          queueId,
          seq: 1,
          snapshotAt: new Date(now).toISOString(),
          initial: true,
          data: {
            ...snapshot,
            queueId,
            name,
            siteId,
            waiting,
            seq: 1,
            today: { ...snapshot.today, offered: judged, metrics: { ...snapshot.today.metrics, serviceLevel: sl(met, judged) } },
          },
        });
        conn.send(hello);
        conn.send(queue('que_p1', 'Prague sales', 'sit_prague', 3, 8, 10));
        conn.send(queue('que_p2', 'Prague support', 'sit_prague', 1, 1, 10));
        conn.send(queue('que_k1', 'KL sales', 'sit_kl', 7, 5, 5));
        conn.send(queue('que_n', 'Nowhere', null, 2, 0, 0));
        const names = () => page.locator('.tile:not([hidden]) [data-field="name"]').allTextContents();
        await expect.poll(names).toEqual(['Prague sales', 'Prague support']);
        const total = (name: string) => page.locator(`[data-total="${name}"]`);
        await expectText(total('waiting'), '4');
        await expectText(total('serviceLevel'), '45%'); // (8 + 1) / (10 + 10)
        expect(await page.locator('#site').inputValue()).toBe('sit_prague');
        expect(await page.locator('#site option').allTextContents()).toEqual(['All sites', 'Site sit_kl', 'Site sit_prague']);

        await page.locator('#site').selectOption('sit_kl');
        await expect.poll(names).toEqual(['KL sales']);
        await expectText(total('waiting'), '7');
        await expectText(total('serviceLevel'), '100%');
        expect(new URL(page.url()).searchParams.get('site')).toBe('sit_kl');
        expect(new URL(page.url()).hash).toBe('#token=played');

        await page.locator('#site').selectOption('');
        await expect.poll(names).toEqual(['KL sales', 'Nowhere', 'Prague sales', 'Prague support']);
        await expectText(total('waiting'), '13');
        expect(new URL(page.url()).searchParams.has('site')).toBe(false);
        await page.screenshot({ path: path.join(ARTIFACTS, 'wallboard-sites.png') });
        await page.context().close();
      });

      it('goes stale and reconnects with backoff when the socket closes or falls silent', async () => {
        const page = await browser.newContext(TV).then((c) => c.newPage());
        await page.clock.install({ time: new Date('2026-11-30T09:15:00Z') });
        const stream = await playStream(page);
        await page.goto(`${base}/wallboard#token=played`);
        const first = await stream.next(1);
        const t0 = Date.parse('2026-11-30T09:15:00Z');
        first.send(hello);
        first.send(snap(3, { waiting: 4 }, t0));
        const field = (name: string) => page.locator(`[data-queue-id="${snapshot.queueId}"] [data-field="${name}"]`);
        await expectText(field('waiting'), '4');
        expect(await page.locator('body.stale').count()).toBe(0);

        first.close(1011); // the server went away
        await page.locator('body.stale').waitFor();
        await expectText(page.locator('#connection'), /^Reconnecting… last update 09:15:0\d$/);
        await page.clock.runFor(1300); // the first retry comes after 1 s ± 20 %
        const second = await stream.next(2);
        second.send(hello);
        second.send(snap(4, { waiting: 5 }, t0 + 2000));
        await expectText(field('waiting'), '5');
        await page.locator('body:not(.stale)').waitFor();

        // Silent: pings go out every 10 s; with nothing back for 25 s the page gives up on the socket and goes stale.
        await page.clock.runFor(26_000);
        await page.locator('body.stale').waitFor();
        await expect.poll(() => second.closed).toBe(true);
        expect(second.sent.some((m) => m.type === 'ping')).toBe(true);
        await page.clock.runFor(1300);
        await stream.next(3);
        await page.context().close();
      });

      it('stops with a clear message when the token expires (4001), and does not retry', async () => {
        const page = await browser.newContext(TV).then((c) => c.newPage());
        await page.clock.install();
        const stream = await playStream(page);
        await page.goto(`${base}/wallboard#token=played`);
        const conn = await stream.next(1);
        conn.send({ ...hello, expiresAt: new Date(Date.now() + 60_000).toISOString() });
        await expectText(page.locator('#expiry'), /^link valid until /);
        conn.close(4001);
        await page.locator('body[data-stopped="expired"].stale').waitFor();
        await expectText(page.locator('#connection'), /expired/);
        await page.clock.runFor(120_000);
        expect(stream.connections.length).toBe(1);
        await page.context().close();
      });
    });
  });
}

/** Waits until the element's whole text is `expected`; on a timeout, says what it showed instead. */
async function expectText(locator: Locator, expected: string | RegExp, timeout = 15_000) {
  const pattern = typeof expected === 'string' ? new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : expected;
  try {
    await locator.filter({ hasText: pattern }).first().waitFor({ timeout });
  } catch (err) {
    const shown = await locator.allTextContents().catch(() => ['(unreadable)']);
    throw new Error(`${locator} never showed ${pattern} within ${timeout} ms; it shows ${JSON.stringify(shown)}`, { cause: err });
  }
}

/** A time zone whose today began at least 10 minutes ago, so calls from the last few minutes are all today's. */
function zoneWithoutMidnight(): string {
  const minutes = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
  return minutes >= 10 ? 'UTC' : 'Etc/GMT+1';
}
