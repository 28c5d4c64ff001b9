import { CornflowCommand } from '../../base.js';
import { seedRoles } from '../../../src/domain/access.js';

export default class RolesInit extends CornflowCommand {
  static override description = "Create cornflow's roles (dummy, viewer, planner, admin, service) that are missing";

  async run(): Promise<void> {
    const { flags } = await this.parse(RolesInit);
    const db = await this.database(this.cornflowConfig(flags));
    this.log(`roles: ${await seedRoles(db)} added`);
  }
}
