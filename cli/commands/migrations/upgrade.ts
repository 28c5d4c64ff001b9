import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { upgrade } from '../../../src/cli-support/migrations.js';

export default class MigrationsUpgrade extends CornflowCommand {
  static override description = 'Apply the pending database migrations (each one is printed as it is applied)';
  static override examples = ['<%= config.bin %> migrations upgrade', '<%= config.bin %> migrations upgrade -r 001_cornflow_schema'];
  static override flags = {
    revision: Flags.string({ char: 'r', default: 'head', description: 'the migration to upgrade to (head = all)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MigrationsUpgrade);
    const db = await this.database(this.cornflowConfig(flags));
    const applied = await upgrade(db, flags.revision, (name) => this.log(`applied ${name}`));
    this.log(applied.length ? `${applied.length} migration(s) applied` : 'database already up to date');
  }
}
