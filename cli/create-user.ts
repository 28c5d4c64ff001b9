// `cornflow users create <role>`: one class per role, built here so the four commands stay identical.
import { Flags } from '@oclif/core';
import { CornflowCommand } from './base.js';
import { ensureUserWithRole } from '../src/domain/users.js';
import { ROLES } from '../src/domain/access-constants.js';
import { CliFailure } from '../src/cli-support/errors.js';

type Role = 'admin' | 'service' | 'planner' | 'viewer';

/** cornflow's environment fallbacks exist for the initial admin and service users only. */
const ENV: Partial<Record<Role, { user: string; email: string; pwd: string }>> = {
  admin: { user: 'CORNFLOW_ADMIN_USER', email: 'CORNFLOW_ADMIN_EMAIL', pwd: 'CORNFLOW_ADMIN_PWD' },
  service: { user: 'CORNFLOW_SERVICE_USER', email: 'CORNFLOW_SERVICE_EMAIL', pwd: 'CORNFLOW_SERVICE_PWD' },
};

export function createUserCommand(role: Role) {
  const env = ENV[role];
  return class CreateUser extends CornflowCommand {
    static override summary = `Create a ${role} user, or give the ${role} role to an existing user`;
    static override description =
      `Create a user with the ${role} role, or add the role to an existing user (then the e-mail and password are ignored)`;
    static override examples = [`<%= config.bin %> users create ${role} -u someone -e someone@example.com -p 'Some_password1'`];
    static override flags = {
      username: Flags.string({ char: 'u', env: env?.user, description: 'the username of the user' }),
      email: Flags.string({ char: 'e', env: env?.email, description: 'the e-mail of the user' }),
      password: Flags.string({ char: 'p', env: env?.pwd, description: 'the password of the user (cornflow password policy)' }),
    };

    async run(): Promise<void> {
      const { flags } = await this.parse(CreateUser);
      const missing = (['username', 'email', 'password'] as const).filter((f) => !flags[f]);
      if (missing.length) throw new CliFailure(`missing ${missing.map((f) => `--${f}`).join(', ')}`, 2);
      const config = this.cornflowConfig(flags);
      const db = await this.database(config);
      const user = { username: flags.username!, email: flags.email!, password: flags.password! };
      const created = await ensureUserWithRole(db, user, ROLES[role], config.openDeployment);
      this.log(created ? `created user ${user.username} with the ${role} role` : `user ${user.username} exists: ${role} role assigned`);
    }
  };
}
