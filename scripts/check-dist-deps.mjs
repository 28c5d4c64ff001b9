#!/usr/bin/env node
// Run-time dependency check of the built package (run by `npm run prepack` and by test/package.test.ts):
// every module that dist/ and bin/ import must be a Node built-in, a relative file, or a package listed in
// "dependencies" of package.json. A devDependency (or an undeclared package) imported at run time would
// work in the repository and break after `npm install cornflow-ts`. Type-only imports vanish in the build,
// so they are not seen here. Exit code 1 with one line per offending import.
import { builtinModules } from 'node:module';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = process.argv[2] ?? process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);

function* jsFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* jsFiles(path);
    else if (/\.(m|c)?js$/.test(name)) yield path;
  }
}

/** Module specifiers of static imports/exports, import() and require(), from TypeScript's pre-processor
 * (a real scanner: strings and regular expressions that merely look like imports are not counted). */
export function specifiers(source) {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or null for relative/built-in ones. */
export function packageOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec.startsWith('data:')) return null;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? null : name;
}

const problems = [];
let files = 0;
// bin/dev.js (tsx, for contributors) is not shipped: see "files" in package.json.
for (const file of [...jsFiles(join(root, 'dist')), join(root, 'bin', 'run.js')]) {
  {
    files += 1;
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const name = packageOf(spec);
      if (name !== null && !allowed.has(name)) problems.push(`${relative(root, file)}: imports '${spec}' (${name} is not in "dependencies")`);
    }
  }
}

if (files === 0) {
  console.error('check-dist-deps: no .js files under dist/ (run `npm run build` first)');
  process.exit(1);
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`check-dist-deps: ${files} files, every package import is a run-time dependency`);
