import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { fields } from '../../client/output.js';
import { call } from '../../client/api.js';
import { stateText } from '../../client/states.js';
import type { components } from '../../../generated/api.js';

export default class ExecutionsGet extends ClientCommand {
  static override description = 'One execution (GET /execution/{id}/)';
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<components['schemas']['ExecutionDetail']> {
    const { args, flags } = await this.parse(ExecutionsGet);
    const { url, client } = this.session(flags);
    const e = await call(url, `GET /execution/${args.id}/`, client.GET('/execution/{idx}/', { params: { path: { idx: args.id } } }));
    if (!this.jsonEnabled()) {
      this.log(
        fields([
          ['id', e.id],
          ['name', e.name],
          ['instance', e.instance_id],
          ['schema', e.schema],
          ['created', e.created_at],
          ['state', stateText(e.state, e.message)],
          ['config', e.config],
        ]),
      );
    }
    return e;
  }
}
