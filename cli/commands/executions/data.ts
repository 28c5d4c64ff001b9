import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { call } from '../../client/api.js';

export default class ExecutionsData extends ClientCommand {
  static override description = "An execution's solution, checks and state as JSON on stdout (GET /execution/{id}/data/)";
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExecutionsData);
    const { url, client } = this.session(flags);
    const body = await call(url, `GET /execution/${args.id}/data/`, client.GET('/execution/{idx}/data/', { params: { path: { idx: args.id } } }));
    this.log(JSON.stringify(body, null, 2));
  }
}
