// .github/workflows/ci.yml cannot run here: check that it parses, has the PostgreSQL service the tests expect,
// runs only npm scripts and files that exist, and runs .ci/run's commands in .ci/run's order.
import { expect } from 'chai';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../src/paths.js';

const root = (...p: string[]): string => join(PROJECT_ROOT, ...p);

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  services?: Record<string, { image: string; env?: Record<string, string>; ports?: string[] }>;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

/** The checking commands of a shell script, in order: npm ci, npm test, npm run X, scripts/… */
function commands(script: string): string[] {
  const out: string[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (/^step\b/.test(line)) continue;
    const m = /^(npm ci|npm test|npm run [\w:.-]+|scripts\/[\w./-]+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

describe('CI workflow (.github/workflows/ci.yml)', () => {
  const text = readFileSync(root('.github', 'workflows', 'ci.yml'), 'utf8');
  const workflow = parse(text) as Workflow;
  const scripts = (JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const job = Object.values(workflow.jobs)[0]!;
  const runs = job.steps.map((s) => s.run ?? '').join('\n');

  it('parses as one job on push and pull requests', () => {
    expect(workflow.name).to.be.a('string');
    expect(workflow.on).to.include.keys('push', 'pull_request');
    expect(Object.keys(workflow.jobs)).to.have.length(1);
    expect(job['runs-on']).to.match(/^ubuntu-/);
    for (const step of job.steps) expect(Boolean(step.uses) !== Boolean(step.run), JSON.stringify(step)).to.equal(true);
  });

  it('has a PostgreSQL service container on 5432 with trust auth for user postgres, as the tests expect', () => {
    const pg = job.services?.postgres;
    expect(pg?.image).to.match(/^postgres:(1[3-9]|[2-9]\d)\b/); // DROP DATABASE … WITH (FORCE) needs 13+
    expect(pg?.env).to.include({ POSTGRES_HOST_AUTH_METHOD: 'trust' });
    expect(pg?.ports).to.include('5432:5432');
    expect(job.env?.TEST_PG_URL).to.equal('postgres://postgres@127.0.0.1:5432/postgres');
  });

  it('uses Node 20 and installs slapd', () => {
    const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(String(node?.with?.['node-version'])).to.equal('20');
    expect(job.steps.some((s) => s.uses?.startsWith('actions/checkout@'))).to.equal(true);
    expect(runs).to.match(/apt-get install .*\bslapd\b/);
  });

  it('runs only npm scripts that exist in package.json and files that exist', () => {
    const used = [...runs.matchAll(/npm run ([\w:.-]+)/g)].map((m) => m[1]!);
    expect(used).to.not.be.empty;
    for (const name of used) expect(scripts, `npm run ${name}`).to.have.property(name);
    expect(scripts).to.have.property('test');
    for (const file of runs.match(/scripts\/[\w./-]+/g) ?? []) {
      expect(existsSync(root(file)), file).to.equal(true);
      expect(statSync(root(file)).mode & 0o111, `${file} is executable`).to.not.equal(0);
    }
  });

  it("runs .ci/run's commands in the same order", () => {
    const local = commands(readFileSync(root('.ci', 'run'), 'utf8'));
    expect(local).to.include.members(['npm ci', 'npm run lint:api', 'npm run gen:check', 'npm run typecheck', 'scripts/pack-smoke.sh', 'npm test']);
    expect(commands(runs)).to.deep.equal(local);
  });
});
