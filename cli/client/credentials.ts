// Where `cornflow login` keeps the server URL and the token: $XDG_CONFIG_HOME/cornflow/credentials.json
// (default ~/.config/cornflow/credentials.json), readable by the user only.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ClientFailure, EXIT } from './errors.js';

export interface Credentials {
  url: string;
  token: string;
  username?: string;
}

export function credentialsPath(env: Record<string, string | undefined> = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'cornflow', 'credentials.json');
}

export function readCredentials(path = credentialsPath()): Credentials | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: Partial<Credentials>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Credentials>;
  } catch (err) {
    throw new ClientFailure(`cannot read ${path}: ${(err as Error).message} (run cornflow login again)`, EXIT.usage);
  }
  if (typeof parsed.url !== 'string' || typeof parsed.token !== 'string') {
    throw new ClientFailure(`${path} has no url and token (run cornflow login again)`, EXIT.usage);
  }
  return parsed as Credentials;
}

export function writeCredentials(credentials: Credentials, path = credentialsPath()): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** The server URL without trailing slashes (paths of the spec start with one). */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClientFailure(`not a URL: ${url}`, EXIT.usage);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ClientFailure(`not an http(s) URL: ${url}`, EXIT.usage);
  return url.replace(/\/+$/, '');
}
