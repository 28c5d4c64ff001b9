// The legacy upstream (CORNFLOW_LEGACY_URL): requests for paths this server does not serve (an external app's
// own endpoints, routes not ported yet) go to the Flask cornflow unchanged — method, path and query, headers
// (minus hop-by-hop ones), body streamed both ways, status — so cornflow-ts can sit in front of it today.
// Every forwarded request is logged and counted (GET /legacy/forwarded/ lists what is left to port).
import http from 'node:http';
import https from 'node:https';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { RouteTable } from './spec.js';

/** RFC 9110 §7.6.1 connection-specific headers, never forwarded (plus those named in Connection). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function endToEnd(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  return out;
}

export interface ForwardedRoute {
  method: string;
  path: string;
  count: number;
  last_status: number;
  last_at: string;
}

/** What went to the upstream, per (method, path), since the server started. */
export class ForwardLedger {
  private readonly rows = new Map<string, ForwardedRoute>();
  record(method: string, path: string, status: number): void {
    const key = `${method} ${path}`;
    const row = this.rows.get(key) ?? { method, path, count: 0, last_status: status, last_at: '' };
    row.count += 1;
    row.last_status = status;
    row.last_at = new Date().toISOString().slice(0, 23);
    this.rows.set(key, row);
  }
  list(): ForwardedRoute[] {
    return [...this.rows.values()].sort((a, b) => b.count - a.count || a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }
}

export function isServed(routes: RouteTable, path: string): boolean {
  const p = path.replace(/\/{2,}/g, '/');
  return Boolean(routes.match(p) ?? routes.match(`${p}/`));
}

export function legacyProxy(upstream: string, routes: RouteTable, ledger: ForwardLedger, logger: Logger): RequestHandler {
  const base = new URL(upstream);
  const client = base.protocol === 'https:' ? https : http;
  const prefix = base.pathname.replace(/\/$/, '');
  return (req, res, next) => {
    if (isServed(routes, req.path)) return next();
    const headers = endToEnd(req.headers);
    headers.host = base.host;
    const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
    headers['x-forwarded-host'] ??= req.headers.host ?? '';
    headers['x-forwarded-proto'] ??= req.protocol;
    const started = Date.now();
    const outgoing = client.request(
      { protocol: base.protocol, hostname: base.hostname, port: base.port, method: req.method, path: `${prefix}${req.originalUrl}`, headers },
      (upstreamRes) => {
        res.status(upstreamRes.statusCode ?? 502);
        for (const [k, v] of Object.entries(endToEnd(upstreamRes.headers))) res.setHeader(k, v);
        upstreamRes.pipe(res);
        upstreamRes.on('end', () => {
          ledger.record(req.method, req.path, upstreamRes.statusCode ?? 502);
          logger.info({ reqId: req.requestId, method: req.method, url: req.originalUrl, status: upstreamRes.statusCode, ms: Date.now() - started, upstream: base.origin }, 'forwarded to the legacy upstream');
        });
        upstreamRes.on('error', () => res.destroy());
      },
    );
    outgoing.on('error', (err) => {
      logger.warn({ reqId: req.requestId, method: req.method, url: req.originalUrl, err: err.message, upstream: base.origin }, 'legacy upstream unreachable');
      ledger.record(req.method, req.path, 502);
      if (res.headersSent) return res.destroy();
      req.resume();
      res.status(502).json({ error: `The legacy cornflow server (CORNFLOW_LEGACY_URL) could not be reached: ${err.message}` });
    });
    // The client went away: stop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  };
}
