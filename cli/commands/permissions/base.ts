import { CornflowCommand } from '../../base.js';
import { seedBasePermissions } from '../../../src/domain/access.js';
import { servedAccess } from '../../../src/cli-support/access.js';

export default class PermissionsBase extends CornflowCommand {
  static override description =
    'Add the missing base permissions (role, action, view) for the views already in the database; run views init first';

  async run(): Promise<void> {
    const { flags } = await this.parse(PermissionsBase);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    const { views, customRoles } = await servedAccess(config);
    const r = await db.transaction((trx) => seedBasePermissions(trx, views, customRoles));
    this.log(`permissions: ${r.total} (${r.added} added)`);
  }
}
