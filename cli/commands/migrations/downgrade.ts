import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { downgrade } from '../../../src/cli-support/migrations.js';

export default class MigrationsDowngrade extends CornflowCommand {
  static override description = 'Revert applied database migrations, newest first (each one is printed)';
  static override examples = [
    '<%= config.bin %> migrations downgrade',
    '<%= config.bin %> migrations downgrade -r base',
    '<%= config.bin %> migrations downgrade -r 001_cornflow_schema',
  ];
  static override flags = {
    revision: Flags.string({
      char: 'r',
      default: '-1',
      description: '-N reverts the last N migrations, base reverts all, a migration name reverts those applied after it',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MigrationsDowngrade);
    const db = await this.database(this.cornflowConfig(flags));
    const reverted = await downgrade(db, flags.revision, (name) => this.log(`reverted ${name}`));
    this.log(reverted.length ? `${reverted.length} migration(s) reverted` : 'nothing to revert');
  }
}
