// Writes generated/ from openapi/: the bundled spec the server loads (openapi.json) and the TypeScript types
// (api.ts), the SDK's copy of the types (sdk/src/api.ts) and the Redoc bundle served at /apidocs/
// (assets/redoc/, copied from the redoc dev dependency). With --check it writes to a temporary folder and fails
// when any of them differs (CI's stale check).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
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

// Derived copies: [committed file, its source].
const copies: [string, string][] = [
  [join(root, 'sdk', 'src', 'api.ts'), join(out, 'api.ts')],
  ...['redoc.standalone.js', 'redoc.standalone.js.LICENSE.txt'].map((f): [string, string] => [join(root, 'assets', 'redoc', f), join(root, 'node_modules', 'redoc', 'bundles', f)]),
];
if (!check) for (const [target, source] of copies) copyFileSync(source, target);

if (check) {
  const same = (a: string, b: string) => existsSync(a) && readFileSync(a).equals(readFileSync(b));
  const stale = [
    ...['openapi.json', 'api.ts'].filter((f) => !same(join(root, 'generated', f), join(out, f))).map((f) => `generated/${f}`),
    ...copies.filter(([target, source]) => !same(target, source)).map(([target]) => target.slice(root.length + 1)),
  ];
  rmSync(out, { recursive: true, force: true });
  if (stale.length) {
    console.error(`stale: ${stale.join(", ")}: run \`npm run gen\` and commit the result.`);
    process.exit(1);
  }
  console.log('generated/, sdk/src/api.ts and assets/redoc/ are up to date');
}
