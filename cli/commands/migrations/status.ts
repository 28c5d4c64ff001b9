import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { migrationStatus } from '../../../src/cli-support/migrations.js';
import { loadPlugins, pluginMigrationStatus, type PluginMigrationStatus } from '../../../src/plugins/loader.js';

export default class MigrationsStatus extends CornflowCommand {
  static override description = 'List the applied and the pending database migrations (the core\'s, then each plugin\'s as <plugin>:<migration>)';
  static override enableJsonFlag = true;
  static override flags = {};

  async run(): Promise<{ applied: string[]; pending: string[]; plugins?: Record<string, PluginMigrationStatus> }> {
    const { flags } = await this.parse(MigrationsStatus);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    const status = await migrationStatus(db);
    for (const name of status.applied) this.log(`applied  ${name}`);
    for (const name of status.pending) this.log(`pending  ${name}`);
    this.log(`${status.applied.length} applied, ${status.pending.length} pending`);
    const plugins = await loadPlugins(config.plugins);
    if (!plugins.length) return status;
    const byPlugin = await pluginMigrationStatus(db, plugins);
    for (const [name, s] of Object.entries(byPlugin)) {
      this.log(`plugin ${name}:`);
      for (const m of s.applied) this.log(`applied  ${name}:${m}`);
      for (const m of s.pending) this.log(`pending  ${name}:${m}`);
      this.log(`${s.applied.length} applied, ${s.pending.length} pending`);
    }
    return { ...status, plugins: byPlugin };
  }
}
