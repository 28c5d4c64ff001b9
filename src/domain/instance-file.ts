// POST /instancefile/: an MPS file becomes a solve_model_dag instance (PuLP's toDict() form). The parser lives
// in src/domain/mps.ts (parseMpsToPulp, MpsParseError); it is loaded on first use so this operation answers
// 501 rather than breaking the server when the parser is absent.
import { extname } from 'node:path';
import type { DataContext } from './instances.js';
import { insertNew, storedData } from './instances.js';
import { AppError, EndpointNotImplemented, InvalidUsage } from './errors.js';
import { JsonNumber, pyFloatRepr, toPlain, parseLossless, type JsonValue } from './json-hash.js';

interface MpsModule {
  parseMpsToPulp(text: string, opts: { minimize: boolean }): unknown;
  /** The dict with each number built by `num` (told whether PuLP holds a Python float there). */
  parseMpsToPulpAs?<N>(text: string, opts: { minimize: boolean }, num: (value: number, isFloat: boolean) => N): unknown;
  MpsParseError: new (...args: never[]) => Error;
}

let mps: Promise<MpsModule | null> | undefined;

/** The MPS parser module, or null when it is not installed. */
export function loadMpsParser(): Promise<MpsModule | null> {
  // A variable specifier: the module may be absent at compile time.
  const specifier = './mps.js';
  mps ??= (import(specifier) as Promise<MpsModule>).catch(() => null);
  return mps;
}

export const ALLOWED_EXTENSIONS_TEXT = "{'mps', 'lp'}";

/** Werkzeug's secure_filename, for the extension check: ASCII letters, digits, `_`, `.`, `-` only. */
export function secureFilename(name: string): string {
  const base = name.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  const parts = base.split(/[/\\]/).join(' ').split(/\s+/).filter(Boolean).join('_');
  return parts.replace(/[^A-Za-z0-9_.-]/g, '').replace(/^[._]+|[._]+$/g, '');
}

const TRUE = new Set(['t', 'true', 'on', 'y', 'yes', '1']);
const FALSE = new Set(['f', 'false', 'off', 'n', 'no', '0']);

/** marshmallow's Boolean for a form value; undefined → the default (minimize). */
export function formBoolean(value: string | undefined, field: string): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new InvalidUsage(`{'form': {'${field}': ['Not a valid boolean.']}}`);
}

/** A number of PuLP's dict as Python holds it: a float (`1.0`, `2.5e-05`) or an int. */
export const pythonNumber = (value: number, isFloat: boolean): JsonNumber => new JsonNumber(isFloat ? pyFloatRepr(value) : String(value), !isFloat);

export interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

export async function createInstanceFromFile(
  ctx: DataContext,
  form: { name: string; description?: string; minimize?: string },
  file: UploadedFile | undefined,
) {
  const minimize = formBoolean(form.minimize, 'minimize');
  if (!file) throw new InvalidUsage('No file was provided');
  const filename = secureFilename(file.originalname);
  const ext = extname(filename).slice(1).toLowerCase();
  if (!filename.includes('.') || !['mps', 'lp'].includes(ext)) {
    throw new InvalidUsage(`Could not open file to upload. Check the extension matches ${ALLOWED_EXTENSIONS_TEXT}`);
  }
  const parser = await loadMpsParser();
  if (!parser) throw new EndpointNotImplemented('The MPS parser is not available on this server');
  let model: unknown;
  try {
    const text = file.buffer.toString('utf8');
    model = parser.parseMpsToPulpAs ? parser.parseMpsToPulpAs(text, { minimize }, pythonNumber) : parser.parseMpsToPulp(text, { minimize });
  } catch (err) {
    if (err instanceof parser.MpsParseError || err instanceof RangeError || err instanceof TypeError) {
      throw new InvalidUsage('Error reading or parsing the MPS file.');
    }
    if (err instanceof AppError) throw err;
    throw new InvalidUsage('Error reading or parsing the MPS file.');
  }
  // parseMpsToPulpAs gives JsonNumbers (Python's floats and ints); a plain model goes through the lossless
  // parser so its numbers are at least written as Python writes them.
  const value = parser.parseMpsToPulpAs ? (model as JsonValue) : parseLossless(JSON.stringify(toPlain(model as JsonValue)));
  return insertNew(ctx, { name: form.name, description: form.description ?? null, schema: 'solve_model_dag', data: await storedData(value), checks: null });
}
