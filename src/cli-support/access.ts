// The views this server serves with its configuration (signup, alarms…), for the access seeding commands.
import type { Config } from '../config.js';
import { loadSpec, RouteTable, type ViewDefinition } from '../api/spec.js';
import { accessFeatures } from '../bootstrap.js';
import { activeViews } from '../domain/access.js';

export function servedViews(config: Config): ViewDefinition[] {
  return activeViews(new RouteTable(loadSpec()).views, accessFeatures(config));
}
