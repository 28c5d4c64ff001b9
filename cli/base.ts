// What every cornflow command shares: the database flag (DATABASE_URL), the effective configuration, a
// database that is closed afterwards, and one-line errors with meaningful exit codes.
import { Command, Flags, Errors } from '@oclif/core';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../src/config.js';
import type { Db } from '../src/storage/db.js';
import { openDatabase } from '../src/cli-support/database.js';
import { describeFailure } from '../src/cli-support/errors.js';

export abstract class CornflowCommand extends Command {
  static override baseFlags = {
    'database-url': Flags.string({
      env: 'DATABASE_URL',
      description: 'sqlite:///path.db or postgres://user:pass@host:5432/db (default sqlite:///cornflow.db)',
      helpGroup: 'GLOBAL',
    }),
  };

  private dbs: Db[] = [];

  /** The configuration from the environment, with --database-url applied. */
  protected cornflowConfig(flags: { 'database-url'?: string }, env: Record<string, string | undefined> = process.env): Config {
    const url = flags['database-url'];
    return loadConfig(url ? { ...env, DATABASE_URL: url } : env);
  }

  protected async database(config: Config): Promise<Db> {
    const db = await openDatabase(config);
    this.dbs.push(db);
    return db;
  }

  /** Warnings of the src/ code, as JSON lines on stderr (stdout stays for the command's output). */
  protected logger(config: Config): Logger {
    return pino({ level: config.logLevel === 'silent' ? 'silent' : 'warn', base: { service: 'cornflow' } }, pino.destination(2));
  }

  protected override async finally(err: Error | undefined): Promise<void> {
    await Promise.all(this.dbs.map((db) => db.destroy().catch(() => {})));
    this.dbs = [];
    return super.finally(err);
  }

  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own errors (bad flags, missing arguments, this.exit) keep their handling and exit code.
    if (err instanceof Errors.CLIError || err.oclif?.exit !== undefined) return super.catch(err);
    failWith(this, err);
  }
}

/** Prints `Error: <message>` as one line on stderr (oclif would wrap it) and exits with the failure's code. */
export function failWith(command: Command, err: unknown): never {
  const { message, exitCode } = describeFailure(err);
  process.stderr.write(`Error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return command.exit(exitCode);
}
