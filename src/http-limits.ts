// The HTTP server with its limits against slow and abusive clients (CORNFLOW_HEADERS_TIMEOUT_MS & co., src/config.ts).
// Node enforces the header and request timeouts, the keep-alive timeout and the header size; this module adds
// the header count limit, a minimum upload rate for request bodies, and JSON answers for the errors Node
// raises before a request reaches the app (408, 431, 400).
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { flaskJson } from './api/wire.js';

/** A socket answered with an error is destroyed this long after the answer is written (if the client lingers). */
const LINGER_MS = 1_000;

type Limits = Config['http'];

/** How often Node checks the header/request timeouts and this module checks body rates: a quarter of the tightest bound, 50 ms to 1 s. */
export function checkInterval(limits: Limits): number {
  const bounds = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((n) => n > 0);
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(...bounds) / 4)));
}

function errorResponse(status: number, reason: string, message: string): string {
  const body = flaskJson({ error: message });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

function answer(res: ServerResponse, status: number, message: string): void {
  const body = flaskJson({ error: message });
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
  const socket = res.socket;
  res.once('finish', () => setTimeout(() => socket?.destroy(), LINGER_MS).unref());
}

/** Node's parser errors (before a request exists) → a JSON error, as Node's default handler would send a bare one. */
function clientErrorAnswer(code: string | undefined, limits: Limits): string | undefined {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errorResponse(408, 'Request Timeout', 'The request was not received in time (CORNFLOW_HEADERS_TIMEOUT_MS / CORNFLOW_REQUEST_TIMEOUT_MS).');
    case 'HPE_HEADER_OVERFLOW':
      return errorResponse(431, 'Request Header Fields Too Large', `The request headers are larger than ${limits.maxHeaderBytes} bytes (CORNFLOW_MAX_HEADER_SIZE).`);
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    default:
      return errorResponse(400, 'Bad Request', 'The request is not valid HTTP.');
  }
}

interface Upload {
  req: IncomingMessage;
  res: ServerResponse;
  socket: Socket;
  since: number;
  bytesAtStart: number;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function createHttpServer(limits: Limits, app: RequestListener, logger: Logger): Server {
  const interval = checkInterval(limits);
  const server = createServer(
    { maxHeaderSize: limits.maxHeaderBytes, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: interval },
    (req, res) => {
      // Node keeps the first maxHeadersCount headers and drops the rest silently: keep one more, refuse beyond the limit.
      if (limits.maxHeadersCount > 0 && req.rawHeaders.length / 2 > limits.maxHeadersCount) {
        return answer(res, 431, `The request has more than ${limits.maxHeadersCount} headers (CORNFLOW_MAX_HEADERS_COUNT).`);
      }
      if (limits.minBodyBytesPerSecond > 0 && hasBody(req)) {
        const upload: Upload = { req, res, socket: req.socket, since: Date.now(), bytesAtStart: req.socket.bytesRead };
        uploads.add(upload);
        res.once('close', () => uploads.delete(upload));
      }
      app(req, res);
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = limits.maxHeadersCount > 0 ? limits.maxHeadersCount + 1 : 0;

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    const reply = clientErrorAnswer(err.code, limits);
    if (reply !== undefined && socket.writable && !pending?.headersSent) {
      logger.info({ code: err.code, remote: socket.remoteAddress }, 'client error');
      socket.end(reply);
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    } else {
      socket.destroy();
    }
  });

  // A body that trickles in (slowloris) holds a connection and a parser for up to CORNFLOW_REQUEST_TIMEOUT_MS, which
  // must be long for large uploads over slow links: so a body must also keep an average rate once it has had
  // CORNFLOW_HEADERS_TIMEOUT_MS. A body the server is not reading (its buffer is full) is not held against the client.
  const uploads = new Set<Upload>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const u of uploads) {
      if (u.req.complete || u.res.headersSent || u.socket.destroyed) {
        uploads.delete(u);
        continue;
      }
      const elapsed = now - u.since;
      if (elapsed < limits.headersTimeoutMs) continue;
      if (u.req.readableLength >= u.req.readableHighWaterMark) continue;
      const rate = (u.socket.bytesRead - u.bytesAtStart) / (elapsed / 1000);
      if (rate < limits.minBodyBytesPerSecond) {
        uploads.delete(u);
        logger.info({ remote: u.socket.remoteAddress, rate: Math.round(rate) }, 'request body too slow');
        answer(u.res, 408, `The request body arrives slower than ${limits.minBodyBytesPerSecond} bytes per second (CORNFLOW_MIN_BODY_RATE).`);
      }
    }
  }, interval).unref();
  server.once('close', () => clearInterval(sweep));
  return server;
}
