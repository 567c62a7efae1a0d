import { Hono } from 'hono';
import type { AppEnv } from '../../http/context';
import css from '../../wallboard/wallboard.css';
import html from '../../wallboard/wallboard.html';
import script from '../../wallboard/wallboard.js';

/**
 * The wallboard page (`GET /wallboard`, docs/live.md): static HTML, CSS and a script, bundled into the Worker as
 * text modules (wrangler.toml [[rules]]). Public, since it holds no data: it opens the live stream with the token in
 * its own address (`#token=`, or `?token=`). Left out of the OpenAPI document like /docs: a page, not an API.
 */
export const wallboardRouter = new Hono<AppEnv>();

/**
 * Its own origin only: no inline code or style, no other host, the stream on its own origin's WebSocket, and Trusted
 * Types so that no HTML string ever becomes DOM. `data:` images only for the empty favicon.
 */
export const WALLBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

const COMMON = {
  'Content-Security-Policy': WALLBOARD_CSP,
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
  // A `?token=` address must not leak through a Referer.
  'Referrer-Policy': 'no-referrer',
};

/** FNV-1a, 32 bits, as hex: a content version for the assets' URLs (cache busting, not security). */
function contentVersion(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const ASSETS = {
  js: { path: '/wallboard/wallboard.js', body: script, type: 'text/javascript; charset=utf-8', version: contentVersion(script) },
  css: { path: '/wallboard/wallboard.css', body: css, type: 'text/css; charset=utf-8', version: contentVersion(css) },
};

// The page names each asset with its content version: a browser keeps an asset for a year, and a new deploy's page
// asks for new URLs. The page itself is always revalidated (it is small).
const PAGE = Object.values(ASSETS).reduce((page, a) => page.replace(`"${a.path}"`, `"${a.path}?v=${a.version}"`), html);

wallboardRouter.get('/wallboard', (c) =>
  c.body(PAGE, 200, { ...COMMON, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }),
);

for (const asset of Object.values(ASSETS)) {
  wallboardRouter.get(asset.path, (c) =>
    c.body(asset.body, 200, {
      ...COMMON,
      'Content-Type': asset.type,
      // An old page's version (or none) gets the current asset, but only for a short while.
      'Cache-Control': c.req.query('v') === asset.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    }),
  );
}
