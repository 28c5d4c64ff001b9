import { CornflowCommand } from '../../base.js';
import { seedAccess } from '../../../src/domain/access.js';
import { loadSpec, RouteTable } from '../../../src/api/spec.js';
import { accessFeatures } from '../../../src/bootstrap.js';
import { handlers as coreHandlers } from '../../../src/api/handlers.js';
import { loadPlugins, mergeSpecs, pluginRoles } from '../../../src/plugins/loader.js';

export default class PermissionsInit extends CornflowCommand {
  static override description = 'Create the actions, roles, views and base permissions (what the server does at every start)';

  async run(): Promise<void> {
    const { flags } = await this.parse(PermissionsInit);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    // The same views and roles as at start-up: the core spec merged with the configured plugins'.
    const plugins = await loadPlugins(config.plugins);
    const routes = new RouteTable(mergeSpecs(loadSpec(), plugins, Object.keys(coreHandlers)));
    const sharedWithFlask = await db.schema.hasTable('alembic_version');
    const r = await seedAccess(db, routes.views, accessFeatures(config), { keepUnknownViews: sharedWithFlask, customRoles: pluginRoles(plugins) });
    this.log(`views: ${r.views} (${r.removedViews} removed); permissions: ${r.permissions} (${r.addedPermissions} added)`);
  }
}
