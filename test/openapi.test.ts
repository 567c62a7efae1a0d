import { describe, expect, it } from 'vitest';
import { call } from './helpers/api';

describe('the API contract', () => {
  it('the committed openapi.json is what the Worker serves (run `npm run openapi` after changing a route)', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    await expect(`${JSON.stringify(res.body, null, 2)}\n`).toMatchFileSnapshot('../openapi.json');
  });

  it('every operation has an id, a summary, documented problems and its guard', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const ids = new Set<string>();
    for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId), `${where} repeats ${op.operationId}`).toBe(false);
        ids.add(op.operationId);
        expect(op.summary, where).toBeTruthy();
        if (op.security?.length) {
          expect(op.responses['401']?.content?.['application/problem+json'], where).toBeDefined();
        }
        if (op['x-required-scope']) expect(op.responses['403'], where).toBeDefined();
      }
    }
    expect(doc.components.securitySchemes).toHaveProperty('apiKey');
    expect(doc.components.schemas).toHaveProperty('Problem');
  });

  it('serves the docs UI and its assets from the Worker itself (no CDN)', async () => {
    const page = await call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Type')).toContain('text/html');
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const js = await call('GET', '/docs/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.text.length).toBeGreaterThan(1_000_000);
    expect(js.text).toContain('SwaggerUIBundle');
    const css = await call('GET', '/docs/swagger-ui.css');
    expect(css.headers.get('Content-Type')).toContain('text/css');
    expect(css.text).toContain('.swagger-ui');
  });
});
