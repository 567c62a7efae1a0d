import { Hono } from 'hono';
import swaggerCss from 'swagger-ui-dist/swagger-ui.css';
import swaggerBundle from 'swagger-ui-dist/swagger-ui-bundle.js';
import { notFound } from '../../domain/errors';
import type { AppEnv } from '../../http/context';
import { PROBLEM_CATALOG, problemSlug, problemType } from '../../http/problem-catalog';

/** The interactive docs, served from the Worker itself (no CDN: works offline), and the problem catalogue. */
export const docsRouter = new Hono<AppEnv>();

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Callboard API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: '/openapi.json',
      dom_id: '#docs',
      deepLinking: true,
      persistAuthorization: true,
      tryItOutEnabled: true,
    });
  </script>
</body>
</html>`;

const ASSET_CACHE = 'public, max-age=3600';

docsRouter.get('/docs', (c) => c.html(PAGE));
docsRouter.get('/docs/swagger-ui.css', (c) =>
  c.body(swaggerCss, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': ASSET_CACHE }),
);
docsRouter.get('/docs/swagger-ui-bundle.js', (c) =>
  c.body(swaggerBundle, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': ASSET_CACHE }),
);

docsRouter.get('/problems', (c) =>
  c.json(Object.entries(PROBLEM_CATALOG).map(([code, p]) => ({ type: problemType(code), code, ...p }))),
);
docsRouter.get('/problems/:slug', (c) => {
  const entry = Object.entries(PROBLEM_CATALOG).find(([code]) => problemSlug(code) === c.req.param('slug'));
  if (!entry) throw notFound('problem type', c.req.param('slug'));
  const [code, p] = entry;
  return c.json({ type: problemType(code), code, ...p });
});
