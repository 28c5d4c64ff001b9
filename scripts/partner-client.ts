// Proves a partner can generate a client from the bundled spec in another style than the SDK: runs
// swagger-typescript-api (fetch client, one class per tag) on generated/openapi.json into a folder, and
// type-checks the result with tsc (no emit) under strict settings and NodeNext modules.
//   node --import tsx scripts/partner-client.ts [outDir]      (default: a temporary folder, removed after)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
export const PARTNER_CLIENT_FILE = 'CornflowApi.ts';

/** Generates the client into outDir and type-checks it (plus `extra` files written next to it); throws on failure. */
export function generatePartnerClient(outDir: string, extra: Record<string, string> = {}): string {
  execFileSync(
    bin('swagger-typescript-api'),
    ['generate', '-p', join(root, 'generated', 'openapi.json'), '-o', outDir, '-n', PARTNER_CLIENT_FILE, '--responses', '--extract-request-body', '--extract-response-body', '--silent'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(outDir, name), text);
  const tsconfig = {
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'], strict: true, noEmit: true, skipLibCheck: true, types: [] },
    include: ['*.ts'],
  };
  writeFileSync(join(outDir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  try {
    execFileSync(bin('tsc'), ['-p', join(outDir, 'tsconfig.json')], { cwd: outDir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`the generated client does not compile:\n${String((err as { stdout?: Buffer }).stdout ?? err)}`);
  }
  return join(outDir, PARTNER_CLIENT_FILE);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const keep = process.argv[2];
  const out = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), 'cornflow-partner-'));
  try {
    console.log(`generated and type-checked ${generatePartnerClient(out)}`);
  } finally {
    if (!keep) rmSync(out, { recursive: true, force: true });
  }
}
