// config → db → migrate → seed → listen → warm-up request → ready; SIGTERM/SIGINT drain and exit.
import type { Server } from 'node:http';
import { loadConfig, ConfigError, type Config } from './config.js';
import { prepare, createLogger } from './bootstrap.js';
import { createApp } from './app.js';
import { LocalRuntime } from './local/runtime.js';

const DRAIN_DEADLINE_MS = 10_000;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const logger = createLogger(config);
  const deps = await prepare(config, { logger });
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
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
    runtime = new LocalRuntime(deps.db, config, logger);
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
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
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
    const running = await startServer(config);
    console.log(`cornflow-ts listening on ${running.url}`);
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
