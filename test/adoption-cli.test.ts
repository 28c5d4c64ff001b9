// `cornflow migrations check` and `migrations upgrade` on a database the Flask cornflow created (built CLI).
import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, DATABASES, testConfig } from './support/app.js';
import { buildLegacyDatabase } from './support/legacy-db.js';
import { createDb } from '../src/storage/db.js';
import { PROJECT_ROOT } from '../src/paths.js';

const BIN = join(PROJECT_ROOT, 'bin', 'run.js');
const work = mkdtempSync(join(tmpdir(), 'cornflow-adopt-cli-'));
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|SECRET_|CORNFLOW_)/.test(k)));

function cornflow(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: work, env: { ...CLEAN_ENV, CORNFLOW_LOG_SILENT: '1', ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

before(function () {
  this.timeout(300_000);
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
});
after(() => rmSync(work, { recursive: true, force: true }));

for (const kind of DATABASES) {
  describe(`cornflow migrations check / upgrade on a Flask cornflow database [${kind}]`, function () {
    this.timeout(60_000);
    it('reports before changing anything, adopts on upgrade, refuses another revision', async () => {
      const database = await createTestDatabase(kind, join(work, `check-${kind}.db`));
      const db = createDb(testConfig(database.url));
      const env = { DATABASE_URL: database.url };
      try {
        await buildLegacyDatabase(db);
        const check = await cornflow(['migrations', 'check'], env);
        expect(check.code, check.stderr).to.equal(0);
        expect(check.stdout).to.equal(
          'cornflow database: yes (Alembic revision 4729cd156460; supported: 4729cd156460)\n' +
            'adopted by cornflow-ts: no\n' +
            "would record 001_cornflow_schema as applied (cornflow's schema; no table changed)\n" +
            'would apply 002_list_indexes\n',
        );
        expect(await db.schema.hasTable('cornflow_ts_migrations')).to.equal(false);
        const json = JSON.parse((await cornflow(['migrations', 'check', '--json'], env)).stdout);
        expect(json).to.deep.include({ cornflow: true, alembicRevision: '4729cd156460', adopted: false, pending: ['002_list_indexes'] });

        const up = await cornflow(['migrations', 'upgrade'], env);
        expect(up.code, up.stderr).to.equal(0);
        expect(up.stdout).to.equal(
          'applied 001_cornflow_schema (recorded: adopted the cornflow database, no table changed)\napplied 002_list_indexes\n1 migration(s) applied\n',
        );
        const after = await cornflow(['migrations', 'check'], env);
        expect(after.stdout).to.equal(
          'cornflow database: yes (Alembic revision 4729cd156460; supported: 4729cd156460)\nadopted by cornflow-ts: yes\nnothing to change\n',
        );
        expect((await db('users').count({ n: '*' }))[0]!.n).to.satisfy((n: unknown) => Number(n) === 5);

        // A database not yet adopted at an older revision is refused by check and by upgrade.
        await db.schema.dropTable('cornflow_ts_migrations');
        await db.schema.dropTable('cornflow_ts_migrations_lock');
        await db('alembic_version').update({ version_num: '9cacf194fa1c' });
        const old = await cornflow(['migrations', 'check'], env);
        expect(old.code).to.equal(1);
        expect(old.stderr).to.match(/^Error: this cornflow database is at Alembic revision 9cacf194fa1c, cornflow-ts adopts only 4729cd156460/);
        const refused = await cornflow(['migrations', 'upgrade'], env);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include('Alembic revision 9cacf194fa1c');
        expect(await db.schema.hasTable('cornflow_ts_migrations')).to.equal(false);
      } finally {
        await db.destroy();
        await database.drop();
      }
    });

    it('check on a database of cornflow-ts itself and on an empty one', async () => {
      const database = await createTestDatabase(kind, join(work, `plain-${kind}.db`));
      try {
        const env = { DATABASE_URL: database.url };
        const empty = await cornflow(['migrations', 'check'], env);
        expect(empty.stdout).to.equal('cornflow database: no\nadopted by cornflow-ts: no\nwould apply 001_cornflow_schema\nwould apply 002_list_indexes\n');
        await cornflow(['migrations', 'upgrade'], env);
        expect((await cornflow(['migrations', 'check'], env)).stdout).to.equal('cornflow database: no\nadopted by cornflow-ts: no\nnothing to change\n');
      } finally {
        await database.drop();
      }
    });
  });
}
