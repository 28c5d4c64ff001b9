// The project root, found from this file both under tsx (src/paths.ts) and compiled (dist/src/paths.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${start}`);
    dir = up;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(import.meta.dirname);
export const BUNDLED_SPEC_PATH = join(PROJECT_ROOT, 'generated', 'openapi.json');
