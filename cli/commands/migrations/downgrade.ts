import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { downgrade } from '../../../src/cli-support/migrations.js';
import { loadPlugins } from '../../../src/plugins/loader.js';

export default class MigrationsDowngrade extends CornflowCommand {
  static override description = 'Revert applied database migrations, newest first (each one is printed); the plugins\' migrations (<plugin>:<migration>) are reverted before the core\'s';
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
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    const reverted = await downgrade(db, flags.revision, (name) => this.log(`reverted ${name}`), await loadPlugins(config.plugins));
    this.log(reverted.length ? `${reverted.length} migration(s) reverted` : 'nothing to revert');
  }
}
