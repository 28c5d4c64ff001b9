// The documentation routes, outside the API contract: the bundled spec (/openapi.json, /openapi.yaml, and
// /swagger/ as in cornflow),
// Redoc (/apidocs/) and Swagger UI (/swagger-ui/, cornflow's path). Fully offline: Swagger UI's assets come
// from the swagger-ui-dist dependency; Redoc's standalone bundle is committed under assets/redoc/ (redoc is a
// dev dependency only, it drags React in) and `npm run gen:check` fails when it differs from node_modules/redoc.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../paths.js';
import type { OpenApiDocument } from './spec.js';

export const REDOC_ASSET_DIR = join(PROJECT_ROOT, 'assets', 'redoc');
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** The files of swagger-ui-dist the page uses (its own index.html and initializer point at the petstore). */
const SWAGGER_UI_FILES = ['swagger-ui.css', 'index.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-16x16.png', 'favicon-32x32.png'];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function redocPage(title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>${escapeHtml(title)}</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="../openapi.json"></redoc>
    <script src="redoc.standalone.js"></script>
  </body>
</html>
`;
}

function swaggerPage(title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>${escapeHtml(title)}</title>
    <link rel="stylesheet" type="text/css" href="swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="index.css">
    <link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;
}

// validatorUrl: null, or Swagger UI would load a badge from validator.swagger.io.
const SWAGGER_INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '../openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

/** The documentation router; mounted in src/app.ts before the validator. */
export function docsRouter(spec: OpenApiDocument): Router {
  const router = express.Router({ strict: true });
  const title = (spec.info as { title?: string } | undefined)?.title ?? 'cornflow API';
  const json = JSON.stringify(spec, null, 2) + '\n';
  const yaml = stringify(spec, { lineWidth: 0 });
  router.get('/openapi.json', (_req, res) => void res.type('application/json; charset=utf-8').send(json));
  // cornflow's spec path (flask-apispec served Swagger 2.0 there; this is the same OpenAPI 3.1 document).
  router.get('/swagger/', (_req, res) => void res.type('application/json; charset=utf-8').send(json));
  router.get('/openapi.yaml', (_req, res) => void res.type('application/yaml; charset=utf-8').send(yaml));

  router.get('/apidocs', (_req, res) => res.redirect(308, '/apidocs/'));
  router.get('/apidocs/', (_req, res) => void res.type('text/html; charset=utf-8').send(redocPage(title)));
  router.get('/apidocs/redoc.standalone.js', (_req, res) => res.sendFile(join(REDOC_ASSET_DIR, 'redoc.standalone.js'), { maxAge: '1d' }));

  router.get('/swagger-ui', (_req, res) => res.redirect(308, '/swagger-ui/'));
  router.get('/swagger-ui/', (_req, res) => void res.type('text/html; charset=utf-8').send(swaggerPage(title)));
  router.get('/swagger-ui/swagger-initializer.js', (_req, res) => void res.type('text/javascript; charset=utf-8').send(SWAGGER_INITIALIZER));
  for (const file of SWAGGER_UI_FILES) {
    router.get(`/swagger-ui/${file}`, (_req, res) => res.sendFile(join(SWAGGER_UI_DIR, file), { maxAge: '1d' }));
  }
  return router;
}
