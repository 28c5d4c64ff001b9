import { CornflowCommand } from '../../base.js';
import { seedAccess } from '../../../src/domain/access.js';
import { loadSpec, RouteTable } from '../../../src/api/spec.js';
import { accessFeatures } from '../../../src/bootstrap.js';

export default class PermissionsInit extends CornflowCommand {
  static override description = 'Create the actions, roles, views and base permissions (what the server does at every start)';

  async run(): Promise<void> {
    const { flags } = await this.parse(PermissionsInit);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    const r = await seedAccess(db, new RouteTable(loadSpec()).views, accessFeatures(config));
    this.log(`views: ${r.views} (${r.removedViews} removed); permissions: ${r.permissions} (${r.addedPermissions} added)`);
  }
}
