import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { upgrade } from '../../../src/cli-support/migrations.js';
import { loadPlugins, migratePlugins } from '../../../src/plugins/loader.js';

export default class MigrationsUpgrade extends CornflowCommand {
  static override description = 'Apply the pending database migrations (each one is printed as it is applied)';
  static override examples = ['<%= config.bin %> migrations upgrade', '<%= config.bin %> migrations upgrade -r 001_cornflow_schema'];
  static override flags = {
    revision: Flags.string({ char: 'r', default: 'head', description: 'the migration to upgrade to (head = all)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MigrationsUpgrade);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    const applied = await upgrade(db, flags.revision, (name) => this.log(`applied ${name}`));
    // The plugins' migrations run after the core ones (each plugin has its own migration table).
    if (flags.revision === 'head') {
      for (const name of await migratePlugins(db, await loadPlugins(config.plugins))) {
        this.log(`applied ${name}`);
        applied.push(name);
      }
    }
    this.log(applied.length ? `${applied.length} migration(s) applied` : 'database already up to date');
  }
}
