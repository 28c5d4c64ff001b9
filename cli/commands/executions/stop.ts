import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { call } from '../../client/api.js';

export default class ExecutionsStop extends ClientCommand {
  static override description = 'Stop a running execution (POST /execution/{id}/)';
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExecutionsStop);
    const { url, client } = this.session(flags);
    const body = await call(url, `POST /execution/${args.id}/`, client.POST('/execution/{idx}/', { params: { path: { idx: args.id } } }));
    this.log(body.message ?? `execution ${args.id} stopped`);
  }
}
