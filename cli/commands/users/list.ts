import { CornflowCommand } from '../../base.js';
import { listUsers, type UserListing } from '../../../src/cli-support/users.js';

export default class UsersList extends CornflowCommand {
  static override description = 'List the users and their roles';
  static override enableJsonFlag = true;

  async run(): Promise<UserListing[]> {
    const { flags } = await this.parse(UsersList);
    const db = await this.database(this.cornflowConfig(flags));
    const users = await listUsers(db);
    for (const u of users) this.log(`${u.id}\t${u.username}\t${u.email}\t${u.roles.join(',') || '-'}`);
    if (!users.length) this.log('no users');
    return users;
  }
}
