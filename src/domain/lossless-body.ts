// Lossless request bodies: operations flagged `x-cornflow-lossless: true` keep their raw JSON bytes
// (src/app.ts stashes them in req.rawBody), so JSON data is stored and hashed exactly as Python would see it
// (1.0 stays 1.0, big ints stay exact). The validator still sees the JSON.parse'd req.body.
import type { Request } from 'express';
import { decodeUtf8Strict, JsonParseError, parseLossless, type LosslessJson } from './json-hash.js';
import { AppError } from './errors.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The raw (inflated) JSON body of lossless operations. */
      rawBody?: Buffer;
    }
  }
}

/** The lossless body as an object (or undefined when the request kept no raw body). */
export function losslessBody(req: Pick<Request, 'rawBody'>): Record<string, LosslessJson> | undefined {
  if (!req.rawBody || req.rawBody.length === 0) return undefined;
  let value: LosslessJson;
  try {
    value = parseLossless(decodeUtf8Strict(req.rawBody));
  } catch (err) {
    // Bytes that are not UTF-8, or nesting deeper than Python's json can read: the body-parser's 400, not a 500.
    if (err instanceof JsonParseError) throw new AppError(400, 'Invalid JSON body.', {}, { messages: { json: ['Invalid JSON body.'] } });
    throw err;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, LosslessJson>) : undefined;
}

/** The lossless value of one field: from the raw body when there is one, else the parsed value. */
export function losslessField(lossless: Record<string, LosslessJson> | undefined, parsed: unknown, key: string): LosslessJson {
  if (lossless && Object.prototype.hasOwnProperty.call(lossless, key)) return lossless[key]!;
  return parsed as LosslessJson;
}
