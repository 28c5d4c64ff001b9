// Writes generated/ from openapi/: the bundled spec the server loads (openapi.json) and the TypeScript types
// (api.ts). With --check it writes to a temporary folder and fails when generated/ differs (CI's stale check).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'cornflow-gen-')) : join(root, 'generated');

const quiet = { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] as ['ignore', 'ignore', 'inherit'], env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } };
execFileSync(bin('redocly'), ['bundle', 'openapi/cornflow.yaml', '--ext', 'json', '-o', join(out, 'openapi.json')], quiet);
// Stable formatting regardless of the bundler's whitespace.
const bundled = JSON.parse(readFileSync(join(out, 'openapi.json'), 'utf8'));
writeFileSync(join(out, 'openapi.json'), JSON.stringify(bundled, null, 2) + '\n');
execFileSync(bin('openapi-typescript'), [join(out, 'openapi.json'), '-o', join(out, 'api.ts'), '--empty-objects-unknown'], quiet);

if (check) {
  const stale = ['openapi.json', 'api.ts'].filter((f) => {
    const committed = join(root, 'generated', f);
    return !existsSync(committed) || readFileSync(committed, 'utf8') !== readFileSync(join(out, f), 'utf8');
  });
  rmSync(out, { recursive: true, force: true });
  if (stale.length) {
    console.error(`generated/ is stale (${stale.join(', ')}): run \`npm run gen\` and commit the result.`);
    process.exit(1);
  }
  console.log('generated/ is up to date');
}
