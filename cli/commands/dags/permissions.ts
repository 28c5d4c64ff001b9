import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { grantDagPermissions } from '../../../src/domain/dag-permissions.js';

export default class DagsPermissions extends CornflowCommand {
  static override description =
    'Give users the right to use the deployed apps: every user with open deployment, only service users without';
  static override flags = {
    'open-deployment': Flags.boolean({
      allowNo: true,
      description: 'every user gets every deployed app (default: OPEN_DEPLOYMENT, which defaults to 1)',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DagsPermissions);
    const config = this.cornflowConfig(flags);
    const open = flags['open-deployment'] ?? config.openDeployment;
    const db = await this.database(config);
    const r = await grantDagPermissions(db, open);
    this.log(`DAG permissions: ${r.added} added (${r.users} users, ${r.dags} deployed apps, open deployment ${open ? 'on' : 'off'})`);
  }
}
