import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { call } from '../../client/api.js';
import type { components } from '../../../generated/api.js';

export default class ExecutionsLog extends ClientCommand {
  static override description = "An execution's solver log (GET /execution/{id}/log/): log_text, or the whole answer with --json";
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<components['schemas']['ExecutionLog']> {
    const { args, flags } = await this.parse(ExecutionsLog);
    const { url, client } = this.session(flags);
    const body = await call(url, `GET /execution/${args.id}/log/`, client.GET('/execution/{idx}/log/', { params: { path: { idx: args.id } } }));
    if (!this.jsonEnabled()) this.log(body.log_text ?? JSON.stringify(body.log ?? null, null, 2));
    return body;
  }
}
