// The server as its own process (node --import tsx src/server.ts), for tests of what only a real process
// shows: start-up output, workers, signals and exit codes.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../src/paths.js';

export interface ServerProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** The exit code, once the process has exited. */
  exited: Promise<number | null>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves once the server logs "listening on"; rejects if it exits first or is not up within timeoutMs. */
  listening(timeoutMs: number): Promise<void>;
}

export function spawnServer(cwd: string, env: NodeJS.ProcessEnv): ServerProcess {
  // tsx resolved from the project, since the server may run from an empty folder.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  const child = spawn(process.execPath, ['--import', tsx, join(PROJECT_ROOT, 'src', 'server.ts')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const listening = (timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), timeoutMs);
      child.stdout.on('data', () => {
        if (output.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
  return { child, exited, output: () => output, listening };
}
