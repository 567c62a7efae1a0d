// A WebSocket-to-TCP proxy with the URL contract of Neon's own wsproxy (`/v2?address=host:port`),
// so `@neondatabase/serverless` — the driver production uses — can talk to a plain local Postgres.
// Only loopback targets are allowed.
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';

// Loaded through require: under vitest's resolve conditions an ESM import picks ws's browser stub.
const { WebSocketServer } = createRequire(import.meta.url)('ws');

const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * @param {{ port?: number, host?: string, control?: boolean }} [options] With `control`, the proxy also
 *   answers `POST /control?enabled=0|1`: switched off it cuts every connection and refuses new ones,
 *   which is how fault tests make "Postgres unreachable" without stopping the one shared server.
 *   `POST /control?frozen=1` makes it "Postgres frozen": connections are accepted but nothing is
 *   forwarded either way; `frozen=0` thaws it and cuts the connections whose bytes were dropped.
 */
export async function startNeonWsProxy({ port = 0, host = '127.0.0.1', control = false } = {}) {
  const sockets = new Set();
  let enabled = true;
  let frozen = false;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (!control || url.pathname !== '/control') {
      res.writeHead(404).end();
      return;
    }
    const cutAll = () => {
      for (const s of sockets) s.destroy();
      for (const client of wss.clients) client.terminate();
    };
    if (url.searchParams.has('enabled')) {
      enabled = url.searchParams.get('enabled') === '1';
      if (!enabled) cutAll();
    }
    if (url.searchParams.has('frozen')) {
      const wasFrozen = frozen;
      frozen = url.searchParams.get('frozen') === '1';
      if (wasFrozen && !frozen) cutAll();
    }
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ enabled, frozen, connections: sockets.size }));
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    if (!enabled) {
      ws.terminate();
      return;
    }
    const address = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    const sep = address.lastIndexOf(':');
    const targetHost = address.slice(0, sep);
    const targetPort = Number(address.slice(sep + 1));
    if (!ALLOWED_HOSTS.has(targetHost) || !Number.isInteger(targetPort)) {
      ws.close(1008, 'target not allowed');
      return;
    }
    const tcp = net.connect({ host: targetHost, port: targetPort });
    sockets.add(tcp);
    const pending = [];
    let connected = false;
    tcp.on('connect', () => {
      connected = true;
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    ws.on('message', (data) => {
      if (frozen) return;
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (connected) tcp.write(chunk);
      else pending.push(chunk);
    });
    tcp.on('data', (chunk) => {
      if (!frozen && ws.readyState === ws.OPEN) ws.send(chunk);
    });
    const closeBoth = () => {
      sockets.delete(tcp);
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };
    tcp.on('close', closeBoth);
    tcp.on('error', closeBoth);
    ws.on('close', closeBoth);
    ws.on('error', closeBoth);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address().port;
  return {
    port: bound,
    address: `${host}:${bound}`,
    controlUrl: `http://${host}:${bound}/control`,
    async close() {
      for (const s of sockets) s.destroy();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(() => resolve()));
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
