import { CornflowCommand } from '../../base.js';
import { migrationNames } from '../../../src/storage/db.js';
import { ALEMBIC_HEAD, BASELINE_MIGRATION, inspectDatabase, type DatabaseInspection } from '../../../src/storage/adoption.js';
import { CliFailure } from '../../../src/cli-support/errors.js';

export default class MigrationsCheck extends CornflowCommand {
  static override description =
    'Report, without changing anything, whether the database is a Flask cornflow database, at which Alembic revision, whether cornflow-ts has adopted it, and what `migrations upgrade` (or starting the server) would change';
  static override enableJsonFlag = true;
  static override flags = {};

  async run(): Promise<DatabaseInspection> {
    const { flags } = await this.parse(MigrationsCheck);
    const db = await this.database(this.cornflowConfig(flags));
    const state = await inspectDatabase(db, await migrationNames());
    if (this.jsonEnabled()) {
      if (state.refusal) throw new CliFailure(state.refusal);
      return state;
    }
    this.log(`cornflow database: ${state.cornflow ? `yes (Alembic revision ${state.alembicRevision ?? 'none'}; supported: ${ALEMBIC_HEAD})` : 'no'}`);
    this.log(`adopted by cornflow-ts: ${state.adopted ? 'yes' : 'no'}`);
    if (state.refusal) throw new CliFailure(state.refusal);
    if (state.recordBaseline) this.log(`would record ${BASELINE_MIGRATION} as applied (cornflow's schema; no table changed)`);
    for (const name of state.pending) this.log(`would apply ${name}`);
    if (!state.recordBaseline && !state.pending.length) this.log('nothing to change');
    return state;
  }
}
