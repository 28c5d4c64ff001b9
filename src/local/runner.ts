// The child process side of the local pool (src/local/pool.ts): receives one job over IPC, imports the app's
// module, calls its solve(instance, config, solution) and sends the result back. One job per process: a crash,
// an endless loop or an out-of-memory abort only takes this process down.
import { pathToFileURL } from 'node:url';

interface JobMessage {
  type: 'job';
  module: string;
  instance: unknown;
  config: Record<string, unknown>;
  solution?: unknown;
}

process.once('message', (msg: JobMessage) => {
  void (async () => {
    try {
      const mod = (await import(pathToFileURL(msg.module).href)) as {
        solve?: (instance: unknown, config: Record<string, unknown>, solution?: unknown) => unknown;
      };
      if (typeof mod.solve !== 'function') throw new Error(`app module ${msg.module} exports no solve()`);
      const result = await mod.solve(msg.instance, msg.config, msg.solution);
      process.send!({ type: 'result', result }, () => process.exit(0));
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      process.send!({ type: 'error', name: err.name, message: err.message, stack: err.stack }, () => process.exit(0));
    }
  })();
});
