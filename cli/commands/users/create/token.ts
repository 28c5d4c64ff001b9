import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../../base.js';
import { createBiToken } from '../../../../src/cli-support/users.js';

export default class UsersCreateToken extends CornflowCommand {
  static override summary = 'Print a non-expiring BI token for a user (asked by a service user)';
  static override description =
    'Print a token that never expires for a user, signed with SECRET_BI_KEY (BI endpoints only); the asking user must be a service user';
  static override examples = ['<%= config.bin %> users create token -i 3 -u service_user -p Service_user1234'];
  static override flags = {
    idx: Flags.integer({ char: 'i', required: true, description: 'the id of the user to create the token for' }),
    username: Flags.string({ char: 'u', required: true, description: 'the asking (service) user' }),
    password: Flags.string({ char: 'p', required: true, description: 'the password of the asking user' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(UsersCreateToken);
    const config = this.cornflowConfig(flags);
    const db = await this.database(config);
    this.log(await createBiToken(db, config.secretBiKey, flags.idx, { username: flags.username, password: flags.password }));
  }
}
