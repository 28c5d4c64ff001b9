// The contract as documentation: every operation has a summary, a description, tags, its error responses and
// examples for its JSON request and response bodies; and every example in the bundled spec conforms to its
// schema (so Redoc/Swagger UI never show a payload the server would reject or never send).
import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { loadSpec } from '../src/api/spec.js';
import { DATE_TIME } from '../src/app.js';
import { resolve as resolveIn, specOperations } from './support/spec-walk.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
type Json = Record<string, any>;

const bundled = loadSpec();
const spec = bundled as unknown as Json;

const resolve = (node: Json): Json => resolveIn(bundled, node);

/** Operations that never succeed (also in .redocly.lint-ignore.yaml): DELETE /roles/{idx}/ is always 501. */
const NEVER_SUCCEEDS = new Set(['deleteRole']);

const operations = specOperations(bundled).map(({ path, method, op }) => ({ path, method, op: op as Json }));

/** Every (media type, where) pair with a schema: request bodies and responses. */
function mediaTypes(): { where: string; media: Json; pointer: string }[] {
  const out: { where: string; media: Json; pointer: string }[] = [];
  for (const { path, method, op } of operations) {
    const ptr = `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`;
    const body = op.requestBody && resolve(op.requestBody);
    for (const [type, media] of Object.entries((body?.content ?? {}) as Json)) {
      out.push({ where: `${op.operationId} request ${type}`, media, pointer: `${ptr}/requestBody/content/${type.replace(/\//g, '~1')}` });
    }
    for (const [status, response] of Object.entries(op.responses as Json)) {
      for (const [type, media] of Object.entries((resolve(response).content ?? {}) as Json)) {
        out.push({ where: `${op.operationId} ${status} ${type}`, media, pointer: `${ptr}/responses/${status}` });
      }
    }
  }
  return out;
}

/**
 * The examples a documentation page shows for a media type: its own `example`/`examples`, else its schema's
 * `example` (or, for an array, its items' — Redoc and Swagger UI build the sample from those).
 */
function shownExamples(media: Json): unknown[] {
  const own = examplesOf(media);
  if (own.length) return own;
  const schema = media.schema && resolve(media.schema);
  if (schema && 'example' in schema) return [schema.example];
  const items = schema?.type === 'array' && schema.items && resolve(schema.items);
  if (items && 'example' in items) return [[items.example]];
  return [];
}

function examplesOf(media: Json): [string, unknown][] {
  const out: [string, unknown][] = [];
  if ('example' in media) out.push(['example', media.example]);
  for (const [name, ex] of Object.entries((media.examples ?? {}) as Json)) out.push([name, resolve(ex).value]);
  return out;
}

describe('the spec as documentation', () => {
  for (const { path, method, op } of operations) {
    it(`${op.operationId} (${method.toUpperCase()} ${path}) is documented`, () => {
      expect(op.summary, 'summary').to.be.a('string').and.not.empty;
      expect(op.description, 'description').to.be.a('string').and.not.empty;
      expect(op.tags, 'tags').to.be.an('array').and.not.empty;
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => s.startsWith('2')), '2xx response').to.equal(!NEVER_SUCCEEDS.has(op.operationId));
      if (op.security?.length) expect(statuses, 'error responses').to.include.members(['400']);
      const body = op.requestBody && resolve(op.requestBody);
      for (const [type, media] of Object.entries((body?.content ?? {}) as Json)) {
        if (type.includes('json')) expect(shownExamples(media), `request ${type} example`).not.to.be.empty;
      }
      for (const [status, response] of Object.entries(op.responses as Json)) {
        for (const [type, media] of Object.entries((resolve(response).content ?? {}) as Json)) {
          if (type.includes('json')) expect(shownExamples(media), `${status} ${type} example`).not.to.be.empty;
        }
      }
    });
  }

  it('every example conforms to its schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('date-time', DATE_TIME);
    ajv.addSchema(spec, 'spec');
    const failures: string[] = [];
    let count = 0;
    for (const { where, media } of mediaTypes()) {
      if (!media.schema) continue;
      const validate = ajv.compile(rebase(media.schema));
      for (const [name, value] of examplesOf(media)) {
        count += 1;
        if (!validate(value)) failures.push(`${where} example ${name}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    for (const [name, schema] of Object.entries((spec.components?.schemas ?? {}) as Json)) {
      if (!('example' in schema)) continue;
      count += 1;
      const validate = ajv.getSchema(`spec#/components/schemas/${name}`)!;
      if (!validate(schema.example)) failures.push(`schema ${name} example: ${ajv.errorsText(validate.errors)}`);
    }
    expect(failures).to.deep.equal([]);
    expect(count).to.be.greaterThan(operations.length);
  });
});

/** A media type's schema with its local $refs pointed at the registered spec. */
function rebase(schema: unknown): Json {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"spec#/'));
}
