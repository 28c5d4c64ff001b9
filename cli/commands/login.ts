import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../client/command.js';
import { call, cornflowClient } from '../client/api.js';
import { normaliseUrl, readCredentials, writeCredentials, credentialsPath } from '../client/credentials.js';
import { ClientFailure, EXIT } from '../client/errors.js';

export default class Login extends ClientCommand {
  static override description = [
    'Log in to a running cornflow server (POST /login/) and store its URL and the token in',
    '$XDG_CONFIG_HOME/cornflow/credentials.json (default ~/.config/cornflow/), readable by the user only.',
    'The client commands (instances …) then use them.',
  ].join(' ');
  static override examples = ['<%= config.bin %> login http://localhost:5000 -u planner -p Planner_pwd1234'];
  static override args = {
    server: Args.string({ description: 'server URL (default --url, CORNFLOW_URL or the last login)' }),
  };
  static override flags = {
    username: Flags.string({ char: 'u', env: 'CORNFLOW_USERNAME', description: 'user name', required: true }),
    password: Flags.string({ char: 'p', env: 'CORNFLOW_PASSWORD', description: 'password', required: true }),
  };

  async run(): Promise<{ url: string; id: number; credentials: string }> {
    const { args, flags } = await this.parse(Login);
    const raw = args.server ?? flags.url ?? readCredentials()?.url;
    if (!raw) throw new ClientFailure('no server URL: cornflow login URL -u USER -p PASSWORD', EXIT.usage);
    const url = normaliseUrl(raw);
    const client = cornflowClient(url);
    const answer = await call(url, 'POST /login/', client.POST('/login/', { body: { username: flags.username, password: flags.password } })).catch(
      (err: unknown) => {
        // Refused credentials are an authentication failure (exit 3), whatever 4xx the server uses.
        throw err instanceof ClientFailure && err.exitCode === EXIT.rejected ? new ClientFailure(err.message, EXIT.auth) : err;
      },
    );
    const path = writeCredentials({ url, token: answer.token, username: flags.username });
    this.log(`logged in to ${url} as ${flags.username} (user ${answer.id}); token stored in ${path}`);
    if ('change_password' in answer && answer.change_password) this.log('the server asks for a password change');
    return { url, id: answer.id, credentials: credentialsPath() };
  }
}
