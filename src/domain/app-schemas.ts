// JSON-Schema (Draft 7) validation of data against a deployed app's schemas, as cornflow does with
// python-jsonschema's Draft7Validator (cornflow-api.md §3.8). Compiled validators are cached per app and
// schema kind; the cache key includes the app's updated_at, so an app changed by this or another server is
// recompiled, and the app routes also drop the entry explicitly.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Db } from '../storage/db.js';
import { dagSchemaText, dagVersion, type SchemaColumn } from '../storage/deployed-dags.js';
import { InvalidData, ObjectDoesNotExist } from './errors.js';
import { pyRepr, pyStr } from '../api/wire.js';

export type SchemaKind = 'instance' | 'solution' | 'config' | 'instance_checks' | 'solution_checks' | 'kpis';

/** The app whose schemas validate data sent for `schema` (cornflow aliases "pulp" to solve_model_dag). */
export function validationApp(schema: string | null | undefined): string {
  if (schema === undefined || schema === null) return 'solve_model_dag';
  return schema === 'pulp' ? 'solve_model_dag' : schema;
}

export const unknownAppMessage = (app: string): string => `The DAG ${app} does not exist in the database.`;

// python-jsonschema checks no formats by default; defaults are not applied here (see execution config).
const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: false, validateSchema: false });

interface CacheEntry {
  version: string;
  validators: Map<SchemaKind, ValidateFunction | null>;
}
const cache = new Map<string, CacheEntry>();

/** Drops the compiled schemas of one app (or of every app). Called when an app is created or updated. */
export function invalidateAppSchemas(app?: string): void {
  if (app === undefined) cache.clear();
  else cache.delete(app);
}

/** The compiled validator of (app, kind); null when the app has no such schema. Throws 404 for an unknown app. */
async function validatorFor(db: Db, app: string, kind: SchemaKind): Promise<ValidateFunction | null> {
  const version = await dagVersion(db, app);
  if (version === undefined) throw new ObjectDoesNotExist(unknownAppMessage(app));
  let entry = cache.get(app);
  if (!entry || entry.version !== version) {
    entry = { version, validators: new Map() };
    cache.set(app, entry);
  }
  if (entry.validators.has(kind)) return entry.validators.get(kind)!;
  // TODO(airflow): cornflow falls back to the Airflow variable <app> when the column is null.
  const text = await dagSchemaText(db, app, `${kind}_schema` as SchemaColumn);
  let validator: ValidateFunction | null = null;
  if (text !== null) {
    const schema = JSON.parse(text) as unknown;
    if (schema !== null && (typeof schema === 'object' || typeof schema === 'boolean')) {
      const { $schema: _ignored, ...rest } = typeof schema === 'object' ? (schema as Record<string, unknown>) : { $schema: undefined };
      try {
        validator = ajv.compile(typeof schema === 'boolean' ? schema : rest);
      } catch (err) {
        throw new InvalidData(undefined, { jsonschema_errors: [`The ${kind} schema of ${app} is not a valid JSON schema: ${(err as Error).message}`] });
      }
    }
  }
  entry.validators.set(kind, validator);
  return validator;
}

/**
 * Validates plain JSON data against the app's schema of that kind. Throws 404 "The DAG … does not exist in the
 * database." for an unknown app and 400 {"error": "The data sent is not valid", "jsonschema_errors": […]}.
 */
export async function validateAppData(db: Db, app: string, kind: SchemaKind, data: unknown): Promise<void> {
  const errors = await appDataErrors(db, app, kind, data);
  if (errors.length) throw new InvalidData(undefined, { jsonschema_errors: errors });
}

/** The jsonschema_errors of data (empty when valid or when the app has no schema of that kind). */
export async function appDataErrors(db: Db, app: string, kind: SchemaKind, data: unknown): Promise<string[]> {
  const validate = await validatorFor(db, app, kind);
  if (!validate || validate(data)) return [];
  return (validate.errors ?? []).map(pythonMessage);
}

/** Validates against a schema given directly (not cached). */
export function jsonSchemaErrors(schema: object | boolean, data: unknown): string[] {
  const validate = ajv.compile(schema);
  return validate(data) ? [] : (validate.errors ?? []).map(pythonMessage);
}

// --------------------------------------------------------------------------------------------------------
// python-jsonschema's str(ValidationError): "<message>\n\nFailed validating '<kw>' in schema[…]:\n    <schema>
// \n\nOn instance[…]:\n    <instance>". The first line follows python-jsonschema's wording.

const REPR_LIMIT = 2000;

function repr(value: unknown): string {
  const text = pyRepr(value);
  return text.length > REPR_LIMIT ? `${text.slice(0, REPR_LIMIT)}...` : text;
}

function pathRepr(segments: string[]): string {
  return segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `[${pyStr(s)}]`)).join('');
}

const pointer = (p: string): string[] => p.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));

function firstLine(e: ErrorObject): string {
  const data = e.data;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${pyStr(String(p.missingProperty))} is a required property`;
    case 'type': {
      const types = String(p.type).split(',');
      return `${repr(data)} is not of type ${types.map((t) => pyStr(t)).join(', ')}`;
    }
    case 'additionalProperties':
      return `Additional properties are not allowed (${pyStr(String(p.additionalProperty))} was unexpected)`;
    case 'enum':
      return `${repr(data)} is not one of ${repr(p.allowedValues)}`;
    case 'const':
      return `${repr(p.allowedValue)} was expected`;
    case 'minimum':
      return `${repr(data)} is less than the minimum of ${repr(p.limit)}`;
    case 'maximum':
      return `${repr(data)} is greater than the maximum of ${repr(p.limit)}`;
    case 'exclusiveMinimum':
      return `${repr(data)} is less than or equal to the minimum of ${repr(p.limit)}`;
    case 'exclusiveMaximum':
      return `${repr(data)} is greater than or equal to the maximum of ${repr(p.limit)}`;
    case 'minItems':
    case 'minLength':
    case 'minProperties':
      return `${repr(data)} is too short`;
    case 'maxItems':
    case 'maxLength':
    case 'maxProperties':
      return `${repr(data)} is too long`;
    case 'pattern':
      return `${repr(data)} does not match ${pyStr(String(p.pattern))}`;
    case 'anyOf':
    case 'oneOf':
      return `${repr(data)} is not valid under any of the given schemas`;
    case 'not':
      return `${repr(data)} should not be valid under ${repr(e.schema)}`;
    case 'uniqueItems':
      return `${repr(data)} has non-unique elements`;
    case 'multipleOf':
      return `${repr(data)} is not a multiple of ${repr(p.multipleOf)}`;
    default:
      return `${repr(data)}: ${e.message ?? 'is not valid'}`;
  }
}

function pythonMessage(e: ErrorObject): string {
  const schemaPath = pointer(e.schemaPath.replace(/^#/, ''));
  schemaPath.pop(); // the keyword itself
  return [
    firstLine(e),
    '',
    `Failed validating ${pyStr(e.keyword)} in schema${pathRepr(schemaPath)}:`,
    `    ${repr(e.parentSchema)}`,
    '',
    `On instance${pathRepr(pointer(e.instancePath))}:`,
    `    ${repr(e.data)}`,
  ].join('\n');
}
