// The views (and custom roles) this server serves with its configuration (signup, alarms…, and the configured
// plugins), for the access seeding commands: the same merged spec as src/bootstrap.ts builds at start-up.
import type { Config } from '../config.js';
import { loadSpec, RouteTable, type ViewDefinition } from '../api/spec.js';
import { accessFeatures } from '../bootstrap.js';
import { activeViews, type AccessRole } from '../domain/access.js';
import { handlers as coreHandlers } from '../api/handlers.js';
import { loadPlugins, mergeSpecs, pluginRoles } from '../plugins/loader.js';

export interface ServedAccess {
  views: ViewDefinition[];
  customRoles: AccessRole[];
}

export async function servedAccess(config: Config): Promise<ServedAccess> {
  const plugins = await loadPlugins(config.plugins);
  const routes = new RouteTable(mergeSpecs(loadSpec(), plugins, Object.keys(coreHandlers)));
  return { views: activeViews(routes.views, accessFeatures(config)), customRoles: pluginRoles(plugins) };
}
