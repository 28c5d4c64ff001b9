// A private PostgreSQL cluster for one test: initdb in a temporary directory, trust authentication, listening
// only on 127.0.0.1 on a free port (and a Unix socket inside the directory), started, stopped (fast or
// immediate = a crash) and started again on the same port, and removed at the end.
// initdb and postgres refuse to run as root: when the tests run as root (CI), every command runs as the
// `postgres` OS user through runuser, in a directory that user owns.
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the PostgreSQL server binaries are (Debian's layout), overridable with PG_BIN. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export function pgBinariesPresent(): boolean {
  return ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(PG_BIN, b)));
}

const asRoot = process.getuid?.() === 0;

function osUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A port nothing listens on, below the ephemeral range (outgoing connections never take it meanwhile). */
async function freePort(): Promise<number> {
  const tryBind = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(undefined));
      s.listen(port, '127.0.0.1', () => {
        const got = (s.address() as { port: number }).port;
        s.close(() => resolve(got));
      });
    });
  for (let i = 0; i < 50; i++) {
    const port = await tryBind(20_000 + Math.floor(Math.random() * 12_000));
    if (port) return port;
  }
  const port = await tryBind(0);
  if (!port) throw new Error('no free port on 127.0.0.1');
  return port;
}

export type StopMode = 'fast' | 'immediate';

export class PgCluster {
  private running = false;
  private frozen = false;
  private readonly onExit = () => this.destroySync();

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The connection URL of a database of this cluster (user postgres, trust authentication). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb + start. */
  static async create(): Promise<PgCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'cornflow-pg-'));
    if (asRoot) {
      const { uid, gid } = osUser('postgres');
      chownSync(dir, uid, gid);
    }
    const cluster = new PgCluster(dir, await freePort());
    process.once('exit', cluster.onExit);
    try {
      await cluster.exec('initdb', ['-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-instructions']);
      // In postgresql.conf rather than on pg_ctl's command line, so that every restart uses them.
      appendFileSync(
        join(cluster.dataDir, 'postgresql.conf'),
        [`port = ${cluster.port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${dir}'`, 'max_connections = 50', ''].join('\n'),
      );
      await cluster.start();
    } catch (err) {
      cluster.destroySync();
      throw err;
    }
    return cluster;
  }

  private async exec(bin: string, args: string[]): Promise<string> {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args];
    try {
      const { stdout } = await run(file, argv, { cwd: this.dir, timeout: 60_000 });
      return stdout;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${bin} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${this.log()}`);
    }
  }

  /** The server's log (for failure messages). */
  log(): string {
    const file = join(this.dir, 'server.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-30).join('\n') : '';
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-w', '-t', '30', 'start']);
    this.running = true;
  }

  /** Stops the server: `fast` ends the sessions and shuts down cleanly, `immediate` kills it (crash recovery at the next start). */
  async stop(mode: StopMode = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    this.running = false;
  }

  /** The postmaster and its children (backends, checkpointer, …): the processes of this cluster only. */
  private processes(): number[] {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return [];
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  /**
   * Freezes the server (SIGSTOP to its processes): connections stay open and the kernel still accepts new
   * ones, but nothing answers — a paused VM or a network partition as the client sees it.
   */
  freeze(): void {
    for (const pid of this.processes()) process.kill(pid, 'SIGSTOP');
    this.frozen = true;
  }

  thaw(): void {
    for (const pid of this.processes()) process.kill(pid, 'SIGCONT');
    this.frozen = false;
  }

  /** Stops the server if it runs and removes the directory. */
  async destroy(): Promise<void> {
    process.removeListener('exit', this.onExit);
    if (this.frozen) this.thaw();
    if (this.running) await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private destroySync(): void {
    if (this.frozen) this.thaw();
    if (this.running && existsSync(join(this.dataDir, 'postmaster.pid'))) {
      const [file, argv] = asRoot
        ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.dataDir, '-m', 'immediate', '-w', 'stop']]
        : [join(PG_BIN, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']];
      try {
        execFileSync(file, argv, { stdio: 'ignore', timeout: 30_000 });
      } catch {
        // best effort on the way out
      }
    }
    this.running = false;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
