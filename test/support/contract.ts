// Checks a response against the contract: its status must be declared for the operation and its body must
// match that response's schema. The server validates its success bodies itself; this also covers errors.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { loadSpec, RouteTable, type OpenApiDocument } from '../../src/api/spec.js';
import { DATE_TIME } from '../../src/app.js';

// ajv-formats is CJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

interface ResponseLike {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  text?: string;
}

type Json = Record<string, unknown>;

export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();
  readonly routes: RouteTable;

  constructor(readonly spec: OpenApiDocument = loadSpec()) {
    this.routes = new RouteTable(spec);
    addFormats(this.ajv);
    this.ajv.addFormat('date-time', DATE_TIME);
    this.ajv.addSchema(spec as unknown as Json, 'spec');
  }

  /** Follows $refs; returns the node and its JSON pointer in the spec. */
  private deref(node: Json, pointer: string): { node: Json; pointer: string } {
    let cur = node;
    let at = pointer;
    while (typeof cur.$ref === 'string') {
      at = (cur.$ref as string).replace(/^#/, '');
      const keys = at.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      cur = keys.reduce<Json>((acc, key) => acc[key] as Json, this.spec as unknown as Json);
    }
    return { node: cur, pointer: at };
  }

  /** Throws when the response is not what the spec declares for (method, path). */
  check(method: string, url: string, res: ResponseLike): void {
    const path = url.split('?')[0]!;
    if (res.status === 308 || res.status === 404 && !this.routes.match(path)) return;
    const route = this.routes.match(path);
    if (!route) return;
    const op = route.operations[method.toLowerCase() as 'get'];
    if (!op) {
      if (res.status !== 405) throw new Error(`${method} ${path}: no operation in the spec, got ${res.status}`);
      return;
    }
    const opNode = (this.spec.paths[route.path] as Json)[method.toLowerCase()] as Json;
    const responses = opNode.responses as Json;
    const key = String(res.status) in responses ? String(res.status) : `${String(res.status)[0]}XX` in responses ? `${String(res.status)[0]}XX` : 'default';
    if (!(key in responses)) {
      throw new Error(`${method} ${path} (${op.operationId}) answered ${res.status}, which the spec does not declare: ${JSON.stringify(res.body)}`);
    }
    const at = `/paths/${route.path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${key}`;
    const { node: response, pointer } = this.deref(responses[key] as Json, at);
    const content = response.content as Json | undefined;
    if (!content) return;
    const json = content['application/json'] as Json | undefined;
    if (!json?.schema) return;
    const schemaRef = `spec#${pointer}/content/application~1json/schema`;
    let validate = this.cache.get(schemaRef);
    if (!validate) {
      validate = this.ajv.compile({ $ref: schemaRef });
      this.cache.set(schemaRef, validate);
    }
    if (!validate(res.body)) {
      throw new Error(`${method} ${path} (${op.operationId}) ${res.status} body does not match the spec: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`);
    }
  }
}
