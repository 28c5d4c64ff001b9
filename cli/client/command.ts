// What every client command (a running server, not the database) shares: --url/--token with environment
// fallbacks over the stored login, the typed client, one-line errors with the exit codes of ./errors.ts.
import { Command, Flags, Errors } from '@oclif/core';
import { cornflowClient, type CornflowClient } from './api.js';
import { readCredentials, normaliseUrl, credentialsPath } from './credentials.js';
import { ClientFailure, EXIT } from './errors.js';
import { failWith } from '../base.js';

export interface Session {
  url: string;
  client: CornflowClient;
}

export abstract class ClientCommand extends Command {
  static override baseFlags = {
    url: Flags.string({ env: 'CORNFLOW_URL', description: 'server URL (default: the one stored by cornflow login)', helpGroup: 'SERVER' }),
    token: Flags.string({ env: 'CORNFLOW_TOKEN', description: 'access token (default: the one stored by cornflow login)', helpGroup: 'SERVER' }),
  };

  /** The server and an authenticated client: flags/environment first, then the stored login. */
  protected session(flags: { url?: string; token?: string }): Session {
    const stored = flags.url && flags.token ? undefined : readCredentials();
    const url = flags.url ?? stored?.url;
    const token = flags.token ?? stored?.token;
    if (!url) throw new ClientFailure(`no server: run cornflow login URL first (or set --url / CORNFLOW_URL); looked in ${credentialsPath()}`, EXIT.usage);
    if (!token) throw new ClientFailure('not logged in: run cornflow login first (or set --token / CORNFLOW_TOKEN)', EXIT.auth);
    const base = normaliseUrl(url);
    return { url: base, client: cornflowClient(base, token) };
  }

  protected override async catch(err: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof ClientFailure) {
      process.stderr.write(`Error: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return this.exit(err.exitCode);
    }
    if (err instanceof Errors.CLIError || err.oclif?.exit !== undefined) return super.catch(err);
    failWith(this, err);
  }
}
