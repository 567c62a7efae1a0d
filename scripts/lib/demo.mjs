// The demo tenant `npm start` makes once and the simulator plays (docs/simulator.md): two sites, three
// teams, four queues, twenty agents, a generic connector and a Twilio connector, made through the public
// API (the platform token creates the tenant, its admin key the rest) and remembered in a tenant file
// (.data/demo.json, mode 0600) with every id, key and secret the simulator needs. Making it again is a
// no-op: what the file already names is kept, what it lacks is made (a name taken already is looked up),
// and a tenant the server no longer knows (its data was deleted) is made anew.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { demoTopology } from './sim/topology.mjs';
import { TWILIO_ACTIVITY_STATES, twilioSid } from './sim/twilio.mjs';

export const DEMO_FILE_VERSION = 1;

/** How long the wallboard link `npm start` prints stays valid (a wall TV may show it for days). */
export const DEMO_LINK_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The link to the live wallboard of the demo tenant that `npm start` prints: the page with a live token for every
 * queue (`POST /v1/live/tokens`, read-only, valid a week), so it opens in any browser without a key. Falls back
 * to the bare page (which says how to get a link) if the token cannot be made.
 *
 * @param {{ baseUrl: string, demo: { apiKey: string, tenant: { id: string } } }} o
 * @returns {Promise<string>}
 */
export async function demoWallboardLink({ baseUrl, demo }) {
  const res = await callApi(baseUrl, 'POST', '/v1/live/tokens', {
    token: demo.apiKey,
    body: { ttlSeconds: DEMO_LINK_TTL_SECONDS },
  }).catch(() => null);
  return res?.status === 201 && typeof res.body?.wallboardUrl === 'string' ? res.body.wallboardUrl : `${baseUrl}/wallboard`;
}

/** Whether `npm start` runs the demo: not with `--no-demo`, nor with CALLBOARD_DEMO=0 (or false/off/no). */
export function demoEnabled(argv, env) {
  if (argv.includes('--no-demo')) return false;
  const v = (env.CALLBOARD_DEMO ?? '').trim().toLowerCase();
  return !['0', 'false', 'off', 'no'].includes(v);
}

/** Reads a tenant file (null when there is none). */
export function readTenantFile(file) {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Writes a tenant file readable by its owner only (replaced, so a wider mode left by someone does not stay). */
export function writeTenantFile(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}

/** A JSON request to Callboard: `{ status, body }`; throws only when it cannot be made. */
export async function callApi(baseUrl, method, p, { token, body } = {}) {
  const res = await fetch(`${baseUrl}${p}`, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

const must = (what, res, ...ok) => {
  if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
};

/** Every item of a paginated list. */
async function listAll(baseUrl, token, resource) {
  const out = [];
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const page = must(`GET /v1/${resource}`, await callApi(baseUrl, 'GET', `/v1/${resource}?${q}`, { token }), 200);
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Creates a named resource, or finds the live one of that name when it exists already (409). */
async function createOrFind(baseUrl, token, resource, body) {
  const res = await callApi(baseUrl, 'POST', `/v1/${resource}`, { token, body });
  if (res.status === 201) return res.body;
  if (res.status === 409) {
    const found = (await listAll(baseUrl, token, resource)).find((x) => x.name === body.name);
    if (found) return found;
  }
  return must(`POST /v1/${resource} ${body.name}`, res, 201);
}

/**
 * Makes the demo tenant if the file does not name a live one, and whatever of it the file lacks.
 * Returns the tenant file's content (also written to `file`).
 * @param {{ baseUrl: string, platformToken: string, file: string, publicBaseUrl?: string, timeZone?: string,
 *   name?: string, queues?: number, agents?: number, log?: (msg: string) => void }} o
 */
export async function ensureDemoTenant({
  baseUrl,
  platformToken,
  file,
  publicBaseUrl = baseUrl,
  timeZone = 'UTC',
  name = 'Callboard demo',
  queues,
  agents,
  log = () => {},
}) {
  let demo = readTenantFile(file);
  if (demo) {
    const alive = await callApi(baseUrl, 'GET', '/v1/settings', { token: demo.apiKey });
    if (alive.status === 401 || alive.status === 404) {
      log(`the tenant in ${path.basename(file)} is gone (a fresh database?): making a new one`);
      demo = null;
    } else must('GET /v1/settings', alive, 200);
  }
  const save = () => writeTenantFile(file, demo);

  if (!demo) {
    const created = must(
      'POST /v1/tenants',
      await callApi(baseUrl, 'POST', '/v1/tenants', { token: platformToken, body: { name, settings: { timeZone } } }),
      201,
    );
    demo = {
      version: DEMO_FILE_VERSION,
      baseUrl,
      tenant: { id: created.tenant.id, name: created.tenant.name, timeZone: created.tenant.settings.timeZone },
      apiKey: created.apiKey.key,
      connectors: {},
      sites: [],
      teams: [],
      queues: [],
      agents: [],
    };
    save();
    log(`made tenant ${demo.tenant.id} (${name})`);
  }
  const key = demo.apiKey;
  const topology = demoTopology({
    queues: queues ?? Math.max(4, demo.queues.length),
    agents: agents ?? Math.max(20, demo.agents.length),
  });
  const sid = (prefix, label) => twilioSid(prefix, `${demo.tenant.id}:${label}`);

  for (const s of topology.sites) {
    if (demo.sites.some((x) => x.name === s.name)) continue;
    const made = await createOrFind(baseUrl, key, 'sites', { name: s.name, timeZone: demo.tenant.timeZone });
    demo.sites.push({ id: made.id, name: s.name, provider: s.provider });
    save();
  }
  for (const t of topology.teams) {
    if (demo.teams.some((x) => x.name === t.name)) continue;
    const siteId = demo.sites.find((s) => s.name === topology.sites[t.site].name).id;
    const made = await createOrFind(baseUrl, key, 'teams', { name: t.name, siteId });
    demo.teams.push({ id: made.id, name: t.name, siteId });
    save();
  }
  for (const q of topology.queues) {
    if (demo.queues.some((x) => x.name === q.name)) continue;
    const keys = { generic: q.slug, twilio: sid('WQ', `queue:${q.slug}`) };
    const made = await createOrFind(baseUrl, key, 'queues', {
      name: q.name,
      externalKeys: [
        { provider: 'generic', key: keys.generic },
        { provider: 'twilio', key: keys.twilio },
      ],
    });
    demo.queues.push({ id: made.id, name: q.name, provider: q.provider, keys });
    save();
  }
  for (const a of topology.agents) {
    if (demo.agents.some((x) => x.name === a.name)) continue;
    const keys = { generic: a.slug, twilio: sid('WK', `agent:${a.slug}`) };
    const teamId = demo.teams.find((t) => t.name === topology.teams[a.team].name).id;
    const siteId = demo.sites.find((s) => s.name === topology.sites[a.site].name).id;
    const queueIds = a.queues.map((i) => demo.queues.find((q) => q.name === topology.queues[i].name).id);
    const made = await createOrFind(baseUrl, key, 'agents', {
      name: a.name,
      teamId,
      siteId,
      queueIds,
      externalKeys: [
        { provider: 'generic', key: keys.generic },
        { provider: 'twilio', key: keys.twilio },
      ],
    });
    demo.agents.push({ id: made.id, name: a.name, teamId, siteId, queueIds, provider: a.provider, keys });
    save();
  }

  if (!demo.connectors.generic) {
    const made = must(
      'POST /v1/connectors (generic)',
      await callApi(baseUrl, 'POST', '/v1/connectors', {
        token: key,
        body: { name: 'Demo PBX (simulated)', provider: 'generic' },
      }),
      201,
    );
    demo.connectors.generic = { id: made.id, secret: made.secret };
    save();
  }
  const twilioOptions = { publicBaseUrl, activityStates: TWILIO_ACTIVITY_STATES };
  if (!demo.connectors.twilio) {
    const authToken = randomBytes(16).toString('hex');
    const made = must(
      'POST /v1/connectors (twilio)',
      await callApi(baseUrl, 'POST', '/v1/connectors', {
        token: key,
        body: { name: 'Demo Twilio (simulated)', provider: 'twilio', credentials: { authToken }, options: twilioOptions },
      }),
      201,
    );
    demo.connectors.twilio = { id: made.id, authToken, publicBaseUrl };
    save();
  } else if (demo.connectors.twilio.publicBaseUrl !== publicBaseUrl) {
    // Another PORT: Twilio signs the URL it calls, so the connector must know the new one.
    must(
      'PATCH /v1/connectors (twilio)',
      await callApi(baseUrl, 'PATCH', `/v1/connectors/${demo.connectors.twilio.id}`, {
        token: key,
        body: { options: twilioOptions },
      }),
      200,
    );
    demo.connectors.twilio.publicBaseUrl = publicBaseUrl;
    save();
  }
  if (demo.baseUrl !== baseUrl) {
    demo.baseUrl = baseUrl;
    save();
  }
  return demo;
}
