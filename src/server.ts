// config → db → migrate → seed → listen → warm-up request → ready; SIGTERM/SIGINT drain and exit.
// With WEB_CONCURRENCY (default: the cores) above 1, src/cluster.ts sets up once and forks the workers.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { loadConfig, ConfigError, type Config } from './config.js';
import { prepare, createLogger } from './bootstrap.js';
import { createApp } from './app.js';
import { createHttpServer } from './http-limits.js';
import { LocalRuntime } from './local/runtime.js';
import { isClusterWorker, reportReady, runPrimary, workerCount } from './cluster.js';

const DRAIN_DEADLINE_MS = 10_000;
/** A connection idle this long when the drain starts is closed; a busier one keeps time to send its request. */
const IDLE_GRACE_MS = 1_000;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, options: { setup?: boolean } = {}): Promise<RunningServer> {
  const logger = createLogger(config);
  const deps = await prepare(config, { logger, setup: options.setup });
  const app = createApp(deps);
  // Header/request/keep-alive timeouts, header limits and the minimum body rate (src/http-limits.ts).
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createHttpServer(config.http, app, logger);
    s.once('error', reject);
    s.listen(config.port, config.host, () => resolve(s));
  });
  // Requests in progress per connection, for the drain on close().
  const connections = new Map<Socket, { active: number; since: number }>();
  let draining = false;
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, since: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (draining) res.setHeader('Connection', 'close');
    if (!state) return;
    state.active += 1;
    res.once('close', () => {
      state.active -= 1;
      state.since = Date.now();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // The validator loads the spec and builds its router on the first request: do it now, and refuse to
  // report ready if it fails.
  const warm = await fetch(`${url}/health/`).catch((err: unknown) => err);
  if (!(warm instanceof Response) || warm.status !== 200) {
    server.close();
    await deps.db.destroy();
    throw new Error(`warm-up request to /health/ failed: ${warm instanceof Response ? `HTTP ${warm.status} ${await warm.text()}` : String(warm)}`);
  }
  // The local backend's runner: claims queued executions and solves them in a process pool (src/local/runtime.ts).
  let runtime: LocalRuntime | undefined;
  if (config.backend === 'local' && config.local.runner) {
    runtime = new LocalRuntime(deps.db, config, logger, { apps: deps.pluginApps });
    await runtime.start(deps.orchestrator);
  }
  logger.info({ url, database: config.database.client, backend: config.backend }, 'cornflow-ts ready');
  let closing: Promise<void> | undefined;
  return {
    server,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), DRAIN_DEADLINE_MS).unref();
        // Stop accepting, but let connections just accepted send their request (http.Server#close would
        // drop them at once as idle, and under load their request may not be parsed yet): responses from now
        // on close their connection, and a connection with no request in progress is closed once it has
        // been quiet for IDLE_GRACE_MS (a keep-alive client may have just sent a request on it).
        draining = true;
        let sweep: NodeJS.Timeout | undefined;
        NetServer.prototype.close.call(server, () => {
          clearTimeout(timer);
          clearInterval(sweep);
          resolve();
        });
        const closeIdle = () => {
          for (const [socket, state] of connections) {
            if (state.active === 0 && Date.now() - state.since > IDLE_GRACE_MS) socket.destroy();
          }
        };
        closeIdle();
        sweep = setInterval(closeIdle, 100).unref();
      })
        .then(() => runtime?.close())
        .then(() => deps.db.destroy());
      return closing;
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(2);
  }
  try {
    const worker = isClusterWorker();
    if (!worker) {
      const workers = workerCount(config);
      if (workers > 1) return await runPrimary(config, workers);
    }
    const running = await startServer(config, { setup: !worker });
    if (worker) reportReady(running.url);
    else console.log(`cornflow-ts listening on ${running.url}`);
    const stop = (signal: string) => {
      console.log(`${signal} received: finishing in-flight requests`);
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    console.error(`cornflow-ts could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
