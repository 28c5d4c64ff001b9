import { CornflowCommand } from '../../base.js';
import { seedActions } from '../../../src/domain/access.js';

export default class ActionsInit extends CornflowCommand {
  static override description = "Create cornflow's actions (can_get, can_patch, can_post, can_put, can_delete) that are missing";

  async run(): Promise<void> {
    const { flags } = await this.parse(ActionsInit);
    const db = await this.database(this.cornflowConfig(flags));
    this.log(`actions: ${await seedActions(db)} added`);
  }
}
