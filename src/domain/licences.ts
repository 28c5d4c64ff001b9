// GET /licences/: cornflow lists the licences of its installed Python packages; this server lists its runtime
// dependencies — the "dependencies" of its package.json, and theirs, recursively — read from node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { components } from '../../generated/api.js';
import { PROJECT_ROOT } from '../paths.js';

type Licence = components['schemas']['Licence'];

interface PackageJson {
  name?: string;
  version?: string;
  license?: string | { type?: string };
  licenses?: ({ type?: string } | string)[];
  author?: string | { name?: string; email?: string };
  description?: string;
  homepage?: string;
  dependencies?: Record<string, string>;
}

/** cornflow's placeholder names the Python metadata field that is missing. */
const missing = (field: string) => `(${field} not found)`;

function licenceOf(pkg: PackageJson): string | undefined {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license?.type) return pkg.license.type;
  const list = (pkg.licenses ?? []).map((l) => (typeof l === 'string' ? l : l.type)).filter((l): l is string => !!l);
  return list.length ? list.join(' OR ') : undefined;
}

function authorOf(pkg: PackageJson): string | undefined {
  if (typeof pkg.author === 'string') return pkg.author || undefined;
  return pkg.author?.name || undefined;
}

/** Node's lookup: node_modules/<name> in the package's folder, then in each folder above it. */
function resolvePackage(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function readPackage(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

export function collectLicences(root: string = PROJECT_ROOT): Licence[] {
  const seenDirs = new Set<string>();
  const found = new Map<string, Licence>();
  const queue: string[] = [root];
  while (queue.length) {
    const dir = queue.shift()!;
    const pkg = readPackage(dir);
    if (!pkg) continue;
    if (dir !== root) {
      const key = `${pkg.name}@${pkg.version}`;
      if (!found.has(key)) {
        found.set(key, {
          library: pkg.name || missing('Name'),
          license: licenceOf(pkg) ?? missing('License'),
          version: pkg.version || missing('Version'),
          author: authorOf(pkg) ?? missing('Author'),
          description: pkg.description || missing('Summary'),
          'home page': pkg.homepage || missing('Home-page'),
        });
      }
    }
    for (const name of Object.keys(pkg.dependencies ?? {})) {
      const depDir = resolvePackage(dir, name);
      if (depDir && !seenDirs.has(depDir)) {
        seenDirs.add(depDir);
        queue.push(depDir);
      }
    }
  }
  return [...found.values()].sort((a, b) => {
    const x = a.library.toLowerCase();
    const y = b.library.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.version.localeCompare(b.version);
  });
}

let cached: Licence[] | undefined;

/** The installed packages do not change while the server runs. */
export function listLicences(): Licence[] {
  cached ??= collectLicences();
  return cached;
}
