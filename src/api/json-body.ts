// JSON request bodies. Operations flagged `x-cornflow-lossless: true` carry data that is stored and hashed as
// Python sees it, so their body is parsed once by parseExact (src/domain/json-hash.ts): req.body is then what
// JSON.parse would give (the validator and the app's JSON schemas check it as usual) and also keeps the number
// lexemes Python needs (1.0, big ints) for data_hash and the stored text. The raw bytes and the decoded text are
// dropped as soon as the parse returns: a 50 MB body is held once, as its tree, not three times.
import express, { type Request, type RequestHandler } from 'express';
import { decodeUtf8Strict, JsonParseError, parseExact } from '../domain/json-hash.js';
import { collectAfterLargeBody, LARGE_BODY_BYTES } from '../domain/memory.js';
import { rememberBodySize } from '../domain/lossless-body.js';
import type { RouteTable } from './spec.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** True when req.body came from parseExact (lossless operations). */
      exactBody?: boolean;
    }
  }
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/** body-parser's errors, so the one error handler answers them the same way (src/api/errors.ts). */
const parseFailed = () => Object.assign(new Error('Invalid JSON body.'), { status: 400, statusCode: 400, type: 'entity.parse.failed' });

/** body-parser json's strict mode: the first non-whitespace character opens an object or an array. */
function opensContainer(buf: Buffer): boolean {
  for (const c of buf) {
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
}

/** raw-body's errors (http-errors objects), answered by the one error handler as express.raw's are. */
const readFailed = (status: number, message: string, type: string, extra: object) =>
  Object.assign(new Error(message), { status, statusCode: status, expose: true, type, ...extra });

/**
 * Reads a large body whose length is declared (Content-Length, no Content-Encoding, within the limit) straight
 * into one Buffer of that length. express.raw keeps every socket chunk until the end and then concatenates them:
 * the chunks (small allocations, so the allocator keeps their memory after they are freed) and their copy took
 * twice the body's size. Here each chunk is garbage as soon as it is copied. Its errors are raw-body's.
 */
function readDeclaredLength(req: Request, length: number, callback: (err: unknown, body?: Buffer) => void): void {
  let body: Buffer | undefined = Buffer.allocUnsafe(length);
  let received = 0;
  let complete = false;
  const detach = () => {
    req.removeListener('aborted', onAborted);
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onEnd);
    req.removeListener('close', onClose);
  };
  const done = (err: unknown) => {
    if (complete) return;
    complete = true;
    detach();
    const out = body;
    body = undefined;
    if (err) {
      // As body-parser: the rest of the request is read off before the error is answered.
      let answered = false;
      const answer = () => {
        if (!answered) callback(err);
        answered = true;
      };
      if (req.complete || req.destroyed) return answer();
      req.once('end', answer);
      req.once('close', answer);
      req.resume();
      return;
    }
    callback(null, out);
  };
  const onAborted = () => done(readFailed(400, 'request aborted', 'request.aborted', { code: 'ECONNABORTED', expected: length, length, received }));
  const onData = (chunk: Buffer) => {
    if (complete) return;
    if (received + chunk.length > length) {
      received += chunk.length;
      return done(readFailed(400, 'request size did not match content length', 'request.size.invalid', { expected: length, length, received }));
    }
    chunk.copy(body!, received);
    received += chunk.length;
  };
  const onEnd = (err?: unknown) => {
    if (err) return done(err);
    if (received !== length) return done(readFailed(400, 'request size did not match content length', 'request.size.invalid', { expected: length, length, received }));
    done(null);
  };
  // A connection closed before the end: nothing to answer (raw-body does the same), only stop listening.
  const onClose = () => {
    if (!complete && !req.readableEnded) {
      complete = true;
      body = undefined;
      detach();
    }
  };
  req.on('aborted', onAborted);
  req.on('close', onClose);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onEnd);
}

/** Parses a lossless operation's body bytes; throws body-parser's 400 for anything Python's json.loads or
 * JSON.parse would refuse (invalid UTF-8, a BOM, NaN, nesting deeper than Python reads, over-long ints). */
export function parseExactBody(buf: Buffer): unknown {
  return parseExactText(decodeBody(buf));
}

/** The body's text (strict UTF-8), or undefined for an empty body; throws body-parser's 400. */
function decodeBody(buf: Buffer): string | undefined {
  if (buf.length === 0) return undefined;
  if (!opensContainer(buf)) throw parseFailed();
  try {
    return decodeUtf8Strict(buf);
  } catch {
    throw parseFailed();
  }
}

function parseExactText(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return parseExact(text);
  } catch (err) {
    if (err instanceof JsonParseError) throw parseFailed();
    throw err;
  }
}

/**
 * The JSON body parsers: only operations whose body is JSON read one (as Flask reads a body only when the view
 * asks: a broken JSON body sent to GET /health/ is ignored), lossless operations through parseExact.
 */
export function jsonBodyParsers(routes: RouteTable, withJsonBody: Set<string>, lossless: Set<string>, limit: number): RequestHandler[] {
  const jsonOperation = (req: Request): string | undefined => {
    const op = routes.operation(req.path, req.method ?? '');
    return op !== undefined && withJsonBody.has(op.operationId) && JSON_TYPE.test(req.headers['content-type'] ?? '') ? op.operationId : undefined;
  };
  const isExact = (req: Request) => {
    const op = jsonOperation(req);
    return op !== undefined && lossless.has(op);
  };
  // express.raw inflates (Content-Encoding) and enforces the limit exactly as express.json does.
  const raw = express.raw({ limit, type: (req) => isExact(req as Request) });
  const exact: RequestHandler = (req, res, next) => {
    if (!isExact(req)) return next();
    // express.json accepts only utf-* charsets (415 otherwise); the bytes must then be UTF-8 (400).
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && !charset.startsWith('utf-')) {
      return next(Object.assign(new Error(`unsupported charset "${charset.toUpperCase()}"`), { status: 415, statusCode: 415, charset, type: 'charset.unsupported' }));
    }
    const declared = Number(req.headers['content-length']);
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    const read: (cb: (err?: unknown) => void) => void =
      declared >= LARGE_BODY_BYTES && declared <= limit && encoding === 'identity' && Number.isSafeInteger(declared)
        ? (cb) => readDeclaredLength(req, declared, (err, body) => (err ? cb(err) : ((req.body = body), cb())))
        : (cb) => raw(req, res, cb);
    read((err?: unknown) => {
      if (err) return next(err);
      let buf = req.body as unknown;
      req.body = undefined;
      if (!Buffer.isBuffer(buf)) return next();
      const size = buf.length;
      // Each copy is freed as soon as the next one is made: the socket's chunks (concatenated by the reader),
      // then the bytes (decoded), then the text (parsed), so a large body is held about twice at most. A large
      // body is parsed on the next turn of the event loop: the reader's call frames, which still hold its chunks
      // and their concatenation, are gone by then and the collection can free them.
      // (The bytes go in a holder that parse empties: an argument would stay referenced until parse returns.)
      const held: { buf?: Buffer } = { buf };
      buf = undefined;
      if (size < LARGE_BODY_BYTES) parse(held, size);
      else setImmediate(() => parse(held, size));
    });
    const parse = (held: { buf?: Buffer }, size: number) => {
      let buf: Buffer | undefined = held.buf!;
      held.buf = undefined;
      collectAfterLargeBody(size);
      try {
        let text = decodeBody(buf);
        buf = undefined;
        collectAfterLargeBody(size);
        req.body = parseExactText(text);
        text = undefined;
        req.exactBody = true;
        rememberBodySize(req.body, size);
      } catch (parseErr) {
        return next(parseErr);
      }
      collectAfterLargeBody(size);
      next();
    };
  };
  const json = express.json({
    limit,
    type: (req) => {
      const op = jsonOperation(req as Request);
      return op !== undefined && !lossless.has(op);
    },
  });
  return [exact, json];
}
