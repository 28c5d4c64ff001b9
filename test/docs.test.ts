// The documentation routes (outside the contract): the bundled spec as JSON and YAML, Redoc and Swagger UI,
// all served from the server itself (no CDN: the pages reference only local assets).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BUNDLED_SPEC_PATH } from '../src/paths.js';
import { forEachDatabase } from './support/app.js';

const bundled = JSON.parse(readFileSync(BUNDLED_SPEC_PATH, 'utf8'));

/** Every src/href of the page, resolved against its URL. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href|spec-url)="([^"]+)"/g)].map((m) => m[1]!);
}

forEachDatabase('docs', (t) => {
  it('serves the bundled spec as JSON', async () => {
    const res = await t.raw().get('/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(JSON.parse(res.text)).to.deep.equal(bundled);
  });

  it("serves it at cornflow's /swagger/ too (OpenAPI 3.1 instead of flask-apispec's Swagger 2.0)", async () => {
    const res = await t.raw().get('/swagger/');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(JSON.parse(res.text)).to.deep.equal(bundled);
  });

  it('serves the bundled spec as YAML', async () => {
    const res = await t.raw().get('/openapi.yaml');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/yaml/);
    expect(parse(res.text)).to.deep.equal(bundled);
  });

  for (const [page, marker] of [['/apidocs/', '<redoc'], ['/swagger-ui/', 'swagger-ui']] as const) {
    it(`${page} loads with local assets only`, async () => {
      const res = await t.raw().get(page);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.match(/^text\/html/);
      expect(res.text).to.contain(marker);
      expect(res.text).not.to.match(/https?:\/\//);
      const assets = assetsOf(res.text);
      expect(assets).not.to.be.empty;
      for (const asset of assets) {
        const url = new URL(asset, `http://localhost${page}`).pathname;
        const got = await t.raw().get(url);
        expect(got.status, url).to.equal(200);
        if (url.endsWith('.js')) expect(got.headers['content-type'], url).to.match(/javascript/);
        if (url.endsWith('.css')) expect(got.headers['content-type'], url).to.match(/^text\/css/);
        if (url.endsWith('.json')) expect(got.body).to.deep.equal(bundled);
      }
    });

    it(`${page.slice(0, -1)} redirects to ${page}`, async () => {
      const res = await t.raw().get(page.slice(0, -1));
      expect(res.status).to.equal(308);
      expect(res.headers.location).to.equal(page);
    });
  }

  it('Swagger UI loads the local spec and no validator badge', async () => {
    const res = await t.raw().get('/swagger-ui/swagger-initializer.js');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain("url: '../openapi.json'");
    expect(res.text).to.contain('validatorUrl: null');
  });
});
