import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { migrationStatus } from '../../../src/cli-support/migrations.js';

export default class MigrationsStatus extends CornflowCommand {
  static override description = 'List the applied and the pending database migrations';
  static override enableJsonFlag = true;
  static override flags = {};

  async run(): Promise<{ applied: string[]; pending: string[] }> {
    const { flags } = await this.parse(MigrationsStatus);
    const db = await this.database(this.cornflowConfig(flags));
    const status = await migrationStatus(db);
    for (const name of status.applied) this.log(`applied  ${name}`);
    for (const name of status.pending) this.log(`pending  ${name}`);
    this.log(`${status.applied.length} applied, ${status.pending.length} pending`);
    return status;
  }
}
