// The wallboard page (GET /wallboard): the live stream (docs/live.md, protocol v1) drawn as one tile per queue,
// of every site or of one (`?site=`, the selector).
// A plain browser script with no dependency, served by the Worker with a strict Content-Security-Policy (its own
// origin only, no inline code, Trusted Types: the DOM is built from the page's <template> and textContent, never
// from HTML strings). It holds no data of its own: everything comes through the live token in the URL.

(() => {
  const STATES = /** @type {const} */ (['available', 'busy', 'wrapup', 'away', 'offline']);
  const WINDOWS = [15, 30, 60];
  /** Pushes come at least every 10 s per queue and a ping is answered: this much silence is a dead socket. */
  const STALE_AFTER_MS = 25_000;
  const PING_EVERY_MS = 10_000;
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30_000;
  const MAX_ALERTS = 5;
  /** A tile's content, width over height (wallboard.css). */
  const TILE_ASPECT = 1.25;
  const OPEN = 1;

  /** Why the stream ended for good: the page cannot renew a token, so it says so and stops retrying. */
  const FATAL = {
    expired:
      'This wallboard link has expired. Ask for a new link (POST /v1/live/tokens with a read key) and open its wallboardUrl.',
    revoked:
      'The API key behind this wallboard link was revoked, so the link no longer works. Ask for a new link with a live key.',
    invalid: 'This wallboard link is not valid (its key may have been revoked). Ask for a new link (POST /v1/live/tokens).',
    queues: 'This link may not show the queues asked for in ?queues= (or one does not exist). Check the address.',
  };
  /** The close codes of docs/live.md that end a token's life. @type {Record<number, keyof typeof FATAL>} */
  const FATAL_CLOSE = { 4001: 'expired', 4003: 'revoked' };
  /**
   * What a plain GET of the stream URL answers when the upgrade was refused (the browser is not told why).
   * @type {Record<string, keyof typeof FATAL>}
   */
  const FATAL_PROBLEM = {
    LIVE_TOKEN_EXPIRED: 'expired',
    LIVE_TOKEN_INVALID: 'invalid',
    QUEUE_NOT_ALLOWED: 'queues',
    NOT_FOUND: 'queues',
  };

  // ---- options (query before the hash; the token in the hash is never sent to a server log or a referrer) ----

  const query = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = fragment.get('token') || query.get('token') || null;
  const seconds = (/** @type {string | null} */ v) => (v !== null && /^\d{1,5}$/.test(v) ? Number(v) : null);
  const options = {
    window: WINDOWS.includes(Number(query.get('window'))) ? Number(query.get('window')) : 15,
    amberSeconds: seconds(query.get('amber')),
    redSeconds: seconds(query.get('red')),
    queues: /^[\w-]+(,[\w-]+)*$/.test(query.get('queues') ?? '') ? query.get('queues') : null,
    /** One site's queues only (a snapshot's `siteId`); null: every queue. */
    site: /^[\w-]+$/.test(query.get('site') ?? '') ? query.get('site') : null,
  };

  // ---- formatting ----

  const pad2 = (/** @type {number} */ n) => String(n).padStart(2, '0');
  /** m:ss (minutes grow past 59: a wait of 75 minutes is 75:00). */
  function duration(/** @type {number | null | undefined} */ ms) {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
    const s = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(s / 60)}:${pad2(s % 60)}`;
  }
  const percent = (/** @type {number | null | undefined} */ ratio) =>
    typeof ratio === 'number' && Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '—';
  const count = (/** @type {unknown} */ n) => (typeof n === 'number' && Number.isFinite(n) ? String(n) : '—');
  const clockTime = (/** @type {number} */ ms) => {
    const d = new Date(ms);
    return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  };

  /**
   * The gauge's colour: green at or above the target, amber within 10 points below it, red further below; judged
   * on the whole percent shown, so the colour never contradicts the number.
   */
  function serviceLevelColour(/** @type {number | null} */ ratio, /** @type {number | null} */ targetPercent) {
    if (ratio === null || targetPercent === null) return 'none';
    const shown = Math.round(ratio * 100);
    if (shown >= targetPercent) return 'green';
    return shown >= targetPercent - 10 ? 'amber' : 'red';
  }

  /** @param {any} metrics @param {string} id @returns {{ value: number | null, numerator: number, denominator: number | null } | null} */
  function metric(metrics, id) {
    const m = metrics?.[id];
    return m && typeof m === 'object' ? m : null;
  }
  const numberOrNull = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

  // ---- the page ----

  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const tilesEl = byId('tiles');
  const template = /** @type {HTMLTemplateElement} */ (byId('tile-template'));
  const connectionEl = byId('connection');
  const alertsEl = byId('alerts');
  const clockEl = byId('clock');
  const statusEl = byId('status-line');
  const expiryEl = byId('expiry');
  const siteSelect = /** @type {HTMLSelectElement} */ (byId('site'));

  /** Sets text only when it changed (a wall TV repaints nothing that did not change). */
  function setText(/** @type {Element | null | undefined} */ el, /** @type {string} */ text) {
    if (el && el.textContent !== text) el.textContent = text;
  }
  function setAttr(/** @type {Element | null | undefined} */ el, /** @type {string} */ name, /** @type {string} */ value) {
    if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  /**
   * @typedef {{ id: string, snap: any, seq: number, tile: HTMLElement, f: (name: string) => HTMLElement | null }} QueueView
   * @type {Map<string, QueueView>}
   */
  const queues = new Map();
  /** The sites the queues belong to, as their snapshots say: the site selector's choices. */
  const sites = new Set();

  /** Whether a queue's tile is shown: every queue, or the chosen site's. */
  const shown = (/** @type {QueueView} */ view) => options.site === null || view.snap?.siteId === options.site;
  const shownViews = () => [...queues.values()].filter(shown);

  /** Hides the tiles of other sites' queues (they stay known, so choosing another site shows them at once). */
  function applySite() {
    for (const view of queues.values()) {
      if (view.tile.hidden !== !shown(view)) view.tile.hidden = !shown(view);
    }
    document.body.dataset.site = options.site ?? '';
    fitColumns();
  }

  /** The selector lists "All sites" and every site seen, by id, plus the chosen one even before its first snapshot. */
  function renderSiteOptions() {
    const ids = [...new Set([...sites, ...(options.site ? [options.site] : [])])].sort();
    const wanted = ['', ...ids];
    const have = [...siteSelect.options].map((o) => o.value);
    if (have.join('\n') !== wanted.join('\n')) {
      siteSelect.replaceChildren(
        ...wanted.map((id) => {
          const o = document.createElement('option');
          o.value = id;
          o.textContent = id === '' ? 'All sites' : `Site ${id}`;
          return o;
        }),
      );
    }
    if (siteSelect.value !== (options.site ?? '')) siteSelect.value = options.site ?? '';
    siteSelect.hidden = ids.length === 0;
  }

  /** Server clock minus this screen's clock, from each snapshot's `snapshotAt` (a TV's clock may be off). */
  let skewMs = 0;

  function tileFor(/** @type {string} */ queueId) {
    let view = queues.get(queueId);
    if (view) return view;
    const tile = /** @type {HTMLElement} */ (
      /** @type {DocumentFragment} */ (template.content.cloneNode(true)).firstElementChild
    );
    tile.dataset.queueId = queueId;
    const cache = new Map();
    const f = (/** @type {string} */ name) => {
      if (!cache.has(name)) cache.set(name, tile.querySelector(`[data-field="${name}"]`));
      return cache.get(name);
    };
    view = { id: queueId, snap: null, seq: -1, tile, f };
    queues.set(queueId, view);
    tilesEl.append(tile);
    fitColumns();
    return view;
  }

  /** Tiles by queue name (then id), so a TV's layout does not move when pushes arrive in another order. */
  function sortTiles() {
    const sorted = [...queues.values()].sort(
      (a, b) => String(a.snap?.name ?? '').localeCompare(String(b.snap?.name ?? '')) || a.id.localeCompare(b.id),
    );
    if (sorted.some((v, i) => tilesEl.children[i] !== v.tile)) tilesEl.append(...sorted.map((v) => v.tile));
  }

  function removeQueue(/** @type {string} */ queueId) {
    queues.get(queueId)?.tile.remove();
    queues.delete(queueId);
    fitColumns();
  }

  /**
   * On a screen the tiles share the window (wallboard.css): the number of columns that gives each tile the most room
   * for a tile's content, which is about 5 wide by 4 high and scales with the tile's smaller side. A phone's single
   * column ignores it.
   */
  function fitColumns() {
    const n = shownViews().length;
    const width = tilesEl.clientWidth;
    const height = tilesEl.clientHeight;
    if (n === 0 || width === 0 || height === 0) return;
    const gap = Number.parseFloat(getComputedStyle(tilesEl).rowGap) || 0;
    let best = 1;
    let bestSide = 0;
    for (let columns = 1; columns <= n; columns++) {
      const rows = Math.ceil(n / columns);
      const side = Math.min((width - gap * (columns - 1)) / columns / TILE_ASPECT, (height - gap * (rows - 1)) / rows);
      if (side > bestSide + 0.5) {
        best = columns;
        bestSide = side;
      }
    }
    if (tilesEl.style.getPropertyValue('--columns') !== String(best)) tilesEl.style.setProperty('--columns', String(best));
  }
  new ResizeObserver(fitColumns).observe(tilesEl);

  /** Where the gauge's target tick goes on the half circle (centre 60,62, radius 48). */
  function targetTick(/** @type {SVGLineElement} */ line, /** @type {number | null} */ targetPercent) {
    if (targetPercent === null) {
      line.setAttribute('visibility', 'hidden');
      return;
    }
    const a = Math.PI * (1 - Math.min(100, Math.max(0, targetPercent)) / 100);
    const at = (/** @type {number} */ r) => [60 + r * Math.cos(a), 62 - r * Math.sin(a)].map((x) => x.toFixed(2));
    const [x1, y1] = at(41);
    const [x2, y2] = at(60);
    setAttr(line, 'x1', x1);
    setAttr(line, 'y1', y1);
    setAttr(line, 'x2', x2);
    setAttr(line, 'y2', y2);
    line.removeAttribute('visibility');
  }

  function renderGauge(
    /** @type {HTMLElement | null} */ gauge,
    /** @type {number | null} */ ratio,
    /** @type {number | null} */ target,
  ) {
    if (!gauge) return;
    setAttr(gauge, 'data-level', serviceLevelColour(ratio, target));
    const filled = ratio === null ? 0 : Math.round(Math.min(1, Math.max(0, ratio)) * 1000) / 10;
    setAttr(gauge.querySelector('.value'), 'stroke-dasharray', `${filled} 100`);
    setText(gauge.querySelector('.pct'), percent(ratio));
    targetTick(/** @type {SVGLineElement} */ (gauge.querySelector('.target')), target);
  }

  /** The longest wait's thresholds: `?amber=`/`?red=`, else the service-level threshold and three times it. */
  function waitThresholds(/** @type {any} */ snap) {
    const threshold = numberOrNull(snap?.serviceLevelPolicy?.thresholdSeconds);
    const amber = options.amberSeconds ?? threshold;
    const red = options.redSeconds ?? (amber === null ? null : amber * 3);
    return { amber, red };
  }

  /** The longest wait now, ticking from `oldestWaitingSince` on the server's clock. */
  function renderLongestWait(/** @type {QueueView} */ view) {
    const since = view.snap?.oldestWaitingSince ? Date.parse(view.snap.oldestWaitingSince) : Number.NaN;
    const el = view.f('longestWait');
    if (!Number.isFinite(since)) {
      setText(el, '—');
      setAttr(el, 'data-level', 'none');
      return;
    }
    const waitMs = Math.max(0, Date.now() + skewMs - since);
    const { amber, red } = waitThresholds(view.snap);
    setText(el, duration(waitMs));
    const level = red !== null && waitMs >= red * 1000 ? 'red' : amber !== null && waitMs > amber * 1000 ? 'amber' : 'none';
    setAttr(el, 'data-level', level);
  }

  function renderTile(/** @type {QueueView} */ view) {
    const s = view.snap;
    const { f } = view;
    setText(f('name'), String(s.name ?? s.queueId ?? ''));
    const target = numberOrNull(s.serviceLevelPolicy?.targetPercent);
    const today = s.today ?? {};
    const sl = metric(today.metrics, 'serviceLevel');
    renderGauge(f('serviceLevel'), numberOrNull(sl?.value), target);
    setText(f('target'), target === null ? '—' : `${Math.round(target)}%`);

    setText(f('waiting'), count(s.waiting));
    renderLongestWait(view);
    const ewt = s.ewt ?? {};
    setText(
      f('ewt'),
      typeof ewt.newCallerMs === 'number' ? duration(ewt.newCallerMs) : ewt.method === 'no_agents_staffed' ? 'no agents' : '—',
    );

    const byState = s.agents?.byState ?? {};
    const total = STATES.reduce((sum, st) => sum + (numberOrNull(byState[st]) ?? 0), 0);
    for (const st of STATES) {
      const n = numberOrNull(byState[st]) ?? 0;
      setText(view.tile.querySelector(`[data-agents="${st}"]`), String(n));
      const seg = /** @type {HTMLElement | null} */ (f('agentBar')?.querySelector(`[data-state="${st}"]`));
      const width = total === 0 ? '0%' : `${((100 * n) / total).toFixed(2)}%`;
      if (seg && seg.style.width !== width) seg.style.width = width;
    }
    setAttr(f('agentBar'), 'title', `${total} agents`);

    setText(f('offered'), count(today.offered));
    setText(f('answered'), count(today.answered));
    setText(f('abandoned'), count(today.abandoned));
    setText(f('abandonRate'), percent(metric(today.metrics, 'abandonRate')?.value));
    setText(f('asa'), duration(metric(today.metrics, 'asa')?.value));
    setText(f('aht'), duration(metric(today.metrics, 'aht')?.value));

    const win = Array.isArray(s.windows) ? s.windows.find((/** @type {any} */ w) => w?.minutes === options.window) : null;
    const winSl = numberOrNull(metric(win?.metrics, 'serviceLevel')?.value);
    setText(f('windowMinutes'), String(options.window));
    setText(f('windowServiceLevel'), percent(winSl));
    setAttr(f('windowServiceLevel'), 'data-level', serviceLevelColour(winSl, target));
    setText(f('windowOffered'), count(metric(win?.metrics, 'offered')?.value));
  }

  /** The strip across the top: sums of the queues shown; the service level as Σ numerators / Σ denominators. */
  function renderTotals() {
    let waiting = 0;
    let offered = 0;
    let answered = 0;
    let abandoned = 0;
    let met = 0;
    let judged = 0;
    const targets = new Set();
    const views = shownViews();
    for (const { snap } of views) {
      waiting += numberOrNull(snap.waiting) ?? 0;
      offered += numberOrNull(snap.today?.offered) ?? 0;
      answered += numberOrNull(snap.today?.answered) ?? 0;
      abandoned += numberOrNull(snap.today?.abandoned) ?? 0;
      const sl = metric(snap.today?.metrics, 'serviceLevel');
      met += numberOrNull(sl?.numerator) ?? 0;
      judged += numberOrNull(sl?.denominator) ?? 0;
      targets.add(numberOrNull(snap.serviceLevelPolicy?.targetPercent));
    }
    const any = views.length > 0;
    const total = (/** @type {string} */ name) => document.querySelector(`[data-total="${name}"]`);
    setText(total('waiting'), any ? String(waiting) : '—');
    setText(total('offered'), any ? String(offered) : '—');
    setText(total('answered'), any ? String(answered) : '—');
    setText(total('abandoned'), any ? String(abandoned) : '—');
    const ratio = judged > 0 ? met / judged : null;
    setText(total('serviceLevel'), percent(ratio));
    // Coloured only when every queue shown has the same target (otherwise there is no one target to judge by).
    const [target] = targets;
    setAttr(
      total('serviceLevel'),
      'data-level',
      targets.size === 1 && target !== undefined ? serviceLevelColour(ratio, target) : 'none',
    );
  }

  function renderAll() {
    for (const view of queues.values()) renderTile(view);
    renderTotals();
  }

  // ---- banners ----

  /** @param {'info' | 'warning' | 'critical'} severity @param {string | null} text */
  function setBanner(severity, text) {
    connectionEl.hidden = text === null;
    setAttr(connectionEl, 'data-severity', severity);
    setText(connectionEl, text ?? '');
  }

  /**
   * An alert pushed on the stream (`{type: "alert", event, alert}`, docs/alerts.md): its severity, its rule's name
   * (with the queue's, for a queue's alert) and whether someone acknowledged it; the same id replaces itself, and a
   * resolved one disappears.
   */
  function showAlert(/** @type {any} */ m) {
    const a = m.alert && typeof m.alert === 'object' ? { ...m, ...m.alert } : m;
    const id = a.id ?? a.alertId ?? null;
    const existing = /** @type {HTMLElement | null} */ (
      id === null ? null : alertsEl.querySelector(`li[data-alert-id="${CSS.escape(String(id))}"]`)
    );
    const state = String(a.state ?? a.status ?? '').toLowerCase();
    if (a.resolved === true || ['resolved', 'cleared', 'closed', 'ok'].includes(state)) {
      existing?.remove();
      return;
    }
    const raw = String(a.severity ?? a.level ?? '').toLowerCase();
    const severity = ['critical', 'error', 'high', 'red'].includes(raw)
      ? 'critical'
      : ['warning', 'warn', 'medium', 'amber'].includes(raw)
        ? 'warning'
        : 'info';
    const queueId = a.scope?.kind === 'queue' ? a.scope.id : a.queueId;
    const queueName = queueId ? queues.get(String(queueId))?.snap?.name : null;
    const text = String(a.ruleName ?? a.title ?? a.message ?? 'Alert') + (state === 'acknowledged' ? ' (acknowledged)' : '');
    const li = existing ?? document.createElement('li');
    li.replaceChildren();
    li.dataset.severity = severity;
    if (id !== null) li.dataset.alertId = String(id);
    const sev = document.createElement('span');
    sev.className = 'severity';
    sev.textContent = severity;
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = queueName ? `${queueName}: ${text}` : text;
    if (a.title && a.message && a.message !== a.title) body.textContent += ` — ${a.message}`;
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'dismiss';
    dismiss.textContent = 'dismiss';
    dismiss.addEventListener('click', () => li.remove());
    li.append(sev, body, dismiss);
    alertsEl.prepend(li);
    while (alertsEl.children.length > MAX_ALERTS) alertsEl.lastElementChild?.remove();
  }

  // ---- the connection ----

  const wsScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const streamPath = () =>
    `/v1/live/stream?token=${encodeURIComponent(token ?? '')}${options.queues ? `&queues=${encodeURIComponent(options.queues)}` : ''}`;

  /** @type {WebSocket | null} */
  let socket = null;
  let attempt = 0;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let retryTimer = null;
  let stopped = false;
  let stale = false;
  /** Last message of any kind on the current socket (or when it opened): the dead-socket watchdog's clock. */
  let lastHeardAt = 0;
  /** Last message ever: "last update" in the stale banner. */
  let lastMessageAt = /** @type {number | null} */ (null);
  let lastPingAt = 0;
  /** Queues that sent a snapshot on the current connection (the first one of each is taken whatever its seq). */
  let seenOnThisConnection = new Set();

  function markStale() {
    stale = true;
    document.body.classList.add('stale');
    document.body.classList.remove('connecting');
    setBanner('warning', lastMessageAt === null ? 'Reconnecting…' : `Reconnecting… last update ${clockTime(lastMessageAt)}`);
  }

  function markLive() {
    stale = false;
    document.body.classList.remove('stale', 'connecting');
    setBanner('info', null);
  }

  function send(/** @type {WebSocket} */ ws, /** @type {unknown} */ message) {
    if (ws.readyState === OPEN) ws.send(JSON.stringify(message));
  }

  function connect() {
    retryTimer = null;
    if (stopped) return;
    const ws = new WebSocket(`${wsScheme}//${location.host}${streamPath()}`);
    socket = ws;
    seenOnThisConnection = new Set();
    let greeted = false;
    ws.addEventListener('open', () => {
      lastHeardAt = Date.now();
      lastPingAt = Date.now();
    });
    ws.addEventListener('message', (e) => {
      if (ws !== socket) return;
      /** @type {any} */
      let m;
      try {
        m = JSON.parse(String(e.data));
      } catch {
        return;
      }
      lastHeardAt = Date.now();
      lastMessageAt = lastHeardAt;
      // Every message is acknowledged as it is read: the server drops a reader more than 240 behind (4008).
      if (typeof m?.n === 'number') send(ws, { type: 'ack', n: m.n });
      if (m?.type === 'hello') {
        greeted = true;
        attempt = 0;
        onHello(m);
      } else if (m?.type === 'snapshot') {
        onSnapshot(m);
      } else if (m?.type === 'alert') {
        showAlert(m);
      } else if (m?.type === 'error') {
        showAlert({ severity: 'warning', title: `${m.code ?? 'error'}: ${m.detail ?? ''}` });
      }
      if (stale && greeted) markLive();
    });
    ws.addEventListener('close', (e) => {
      if (ws !== socket) return;
      socket = null;
      void onClosed(e.code, greeted);
    });
  }

  function onHello(/** @type {any} */ m) {
    if (Array.isArray(m.queues)) {
      for (const id of [...queues.keys()]) if (!m.queues.includes(id)) removeQueue(id);
      renderTotals();
    }
    const expires = m.expiresAt ? new Date(m.expiresAt) : null;
    setText(
      expiryEl,
      expires && Number.isFinite(expires.getTime())
        ? `link valid until ${expires.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}`
        : '',
    );
    markLive();
  }

  function onSnapshot(/** @type {any} */ m) {
    if (typeof m.queueId !== 'string' || !m.data || typeof m.data !== 'object') return;
    const seq = typeof m.seq === 'number' ? m.seq : -1;
    const known = queues.get(m.queueId);
    // A snapshot older than one already shown (by the queue's push sequence) is dropped; the first of a connection
    // is taken whatever it says, since it is the queue's whole state as of connecting.
    if (known && seenOnThisConnection.has(m.queueId) && seq < known.seq) return;
    seenOnThisConnection.add(m.queueId);
    const at = Date.parse(m.snapshotAt ?? m.data.asOf);
    if (Number.isFinite(at)) skewMs = at - Date.now();
    const view = tileFor(m.queueId);
    const renamed = view.snap?.name !== m.data.name;
    view.snap = m.data;
    view.seq = seq;
    if (typeof m.data.siteId === 'string' && !sites.has(m.data.siteId)) {
      sites.add(m.data.siteId);
      renderSiteOptions();
    }
    if (view.tile.hidden !== !shown(view)) applySite();
    renderTile(view);
    if (renamed) sortTiles();
    renderTotals();
  }

  /** Why an upgrade was refused: the same URL as a plain GET answers the problem (426 when the token is fine). */
  async function diagnose() {
    try {
      const res = await fetch(streamPath(), { cache: 'no-store', credentials: 'omit' });
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        const body = await res.json().catch(() => ({}));
        return FATAL_PROBLEM[String(body?.code)] ?? null;
      }
    } catch {}
    return null;
  }

  async function onClosed(/** @type {number} */ code, /** @type {boolean} */ greeted) {
    const fatal = FATAL_CLOSE[code] ?? (greeted ? null : await diagnose());
    if (fatal) {
      stop(fatal);
      return;
    }
    markStale();
    scheduleReconnect();
  }

  /** 1 s, doubling to 30 s, each ±20 % so that a room of screens does not come back in step. */
  function scheduleReconnect() {
    if (stopped || retryTimer !== null) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    attempt += 1;
    const delay = Math.min(BACKOFF_MAX_MS, Math.round(base * (0.8 + Math.random() * 0.4)));
    setText(statusEl, `reconnecting in ${Math.ceil(delay / 1000)} s (attempt ${attempt})`);
    retryTimer = setTimeout(connect, delay);
  }

  function stop(/** @type {keyof typeof FATAL} */ why) {
    stopped = true;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    const ws = socket;
    socket = null;
    ws?.close(1000, 'stopped');
    stale = true;
    document.body.classList.add('stale', 'stopped');
    document.body.classList.remove('connecting');
    document.body.dataset.stopped = why;
    setBanner('critical', FATAL[why]);
    setText(statusEl, lastMessageAt === null ? 'not connected' : `stopped; last update ${clockTime(lastMessageAt)}`);
    showHelp();
  }

  // ---- every second: the clock, the waits, the watchdog, the ping ----

  function tick() {
    const now = Date.now();
    setText(clockEl, clockTime(now).slice(0, 5));
    // While stale the waits stay as they were at the last update (the banner gives its time): a caller may have
    // been answered since.
    if (!stale) for (const view of queues.values()) if (view.snap) renderLongestWait(view);
    if (socket && socket.readyState === OPEN) {
      if (now - lastHeardAt > STALE_AFTER_MS) {
        // Silent for longer than pushes and pongs allow: the socket is dead even if the browser has not noticed.
        const ws = socket;
        socket = null;
        ws.close(4000, 'silent');
        markStale();
        scheduleReconnect();
      } else if (now - lastPingAt >= PING_EVERY_MS) {
        lastPingAt = now;
        send(socket, { type: 'ping' });
      }
      if (!stale && lastMessageAt !== null) setText(statusEl, `live · updated ${clockTime(lastMessageAt)}`);
    }
  }

  // ---- start ----

  function showHelp() {
    const help = byId('help');
    help.hidden = false;
    setText(
      byId('help-curl'),
      `curl -s -X POST ${location.origin}/v1/live/tokens \\\n  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\\n  -d '{"ttlSeconds": 604800}'`,
    );
  }

  function setWindow(/** @type {number} */ minutes) {
    options.window = minutes;
    for (const b of document.querySelectorAll('[data-window]')) {
      b.setAttribute('aria-pressed', String(Number(/** @type {HTMLElement} */ (b).dataset.window) === minutes));
    }
    renderAll();
  }

  for (const b of document.querySelectorAll('[data-window]')) {
    b.addEventListener('click', () => {
      const minutes = Number(/** @type {HTMLElement} */ (b).dataset.window);
      setWindow(minutes);
      // Kept in the address, so a reload (or the TV's next boot) shows the same window; the hash stays.
      const url = new URL(location.href);
      url.searchParams.set('window', String(minutes));
      history.replaceState(null, '', url);
    });
  }
  setWindow(options.window);

  siteSelect.addEventListener('change', () => {
    options.site = siteSelect.value === '' ? null : siteSelect.value;
    applySite();
    renderTotals();
    // Kept in the address like the window, so the screen shows the same site after a reload; the hash stays.
    const url = new URL(location.href);
    if (options.site === null) url.searchParams.delete('site');
    else url.searchParams.set('site', options.site);
    history.replaceState(null, '', url);
  });
  renderSiteOptions();
  applySite();

  if (!token) {
    document.body.classList.remove('connecting');
    document.body.classList.add('no-token');
    showHelp();
    return;
  }
  setBanner('info', 'Connecting…');
  tick();
  setInterval(tick, 1000);
  connect();
})();
