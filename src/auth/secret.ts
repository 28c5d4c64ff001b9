// SECRET_KEY signs the tokens. cornflow generates a fresh key at every `service init` when none is pinned,
// which logs everybody out on restart; here a generated key is kept in the data directory instead.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_FILE = '.cornflow-secret';

export function resolveSecretKey(configured: string | undefined, dataDir: string, warn: (msg: string) => void): string {
  if (configured) return configured;
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  warn(`SECRET_KEY is not set: generated one and stored it in ${file}. Set SECRET_KEY to share it between servers.`);
  return key;
}
