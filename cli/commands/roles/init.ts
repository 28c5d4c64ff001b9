import { CornflowCommand } from '../../base.js';
import { seedRoles } from '../../../src/domain/access.js';
import { servedAccess } from '../../../src/cli-support/access.js';

export default class RolesInit extends CornflowCommand {
  static override description = "Create cornflow's roles (dummy, viewer, planner, admin, service) that are missing";

  async run(): Promise<void> {
    const { flags } = await this.parse(RolesInit);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    const { customRoles } = await servedAccess(config);
    this.log(`roles: ${await seedRoles(db, customRoles)} added`);
  }
}
