import { describe, expect, it } from 'vitest';
import { WALLBOARD_CSP } from '../src/routes/wallboard';
import { createTenant } from './factories';
import { call } from './helpers/api';

// The page's behaviour in a browser is test/browser/wallboard.test.ts; this is what the Worker serves.
describe('GET /wallboard', () => {
  it('serves the page with a strict CSP, no indexing, and revalidation', async () => {
    const page = await call('GET', '/wallboard');
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('Content-Security-Policy')).toBe(WALLBOARD_CSP);
    expect(WALLBOARD_CSP).toContain("default-src 'none'");
    expect(WALLBOARD_CSP).toContain("script-src 'self'");
    expect(WALLBOARD_CSP).toContain("connect-src 'self'");
    expect(WALLBOARD_CSP).not.toContain('unsafe');
    expect(page.headers.get('X-Robots-Tag')).toContain('noindex');
    expect(page.headers.get('Cache-Control')).toBe('no-cache');
    expect(page.headers.get('Referrer-Policy')).toBe('no-referrer');
    // Nothing from another host, and no inline script or style for the CSP to refuse.
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.text).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
  });

  it('names its assets by content version; a current version is cached for good, another briefly', async () => {
    const page = await call('GET', '/wallboard');
    for (const [path, type, marker] of [
      ['/wallboard/wallboard.js', 'text/javascript', 'WebSocket'],
      ['/wallboard/wallboard.css', 'text/css', '.tile'],
    ] as const) {
      const url = new RegExp(`"(${path.replace(/\./g, '\\.')}\\?v=[0-9a-f]{8})"`).exec(page.text)?.[1];
      expect(url, path).toBeDefined();
      const asset = await call('GET', url as string);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('Content-Type')).toContain(type);
      expect(asset.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('X-Robots-Tag')).toContain('noindex');
      expect(asset.text).toContain(marker);
      const stale = await call('GET', `${path}?v=00000000`);
      expect(stale.headers.get('Cache-Control')).toBe('public, max-age=300');
      expect(stale.text).toBe(asset.text);
    }
  });

  it('is a page, not an API operation: absent from the OpenAPI document, listed at /', async () => {
    const doc = (await call('GET', '/openapi.json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/wallboard'))).toEqual([]);
    expect((await call('GET', '/')).body).toMatchObject({ wallboard: '/wallboard' });
  });

  it('the live token it is given names it: wallboardUrl opens this page with the token in the fragment', async () => {
    const t = await createTenant();
    const issued = await t.admin.post('/v1/live/tokens', {});
    expect(issued.status, issued.text).toBe(201);
    const url = new URL(issued.body.wallboardUrl);
    expect(url.pathname).toBe('/wallboard');
    expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe(issued.body.token);
  });
});
