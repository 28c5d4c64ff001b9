// TODO(merge): re-type with the generated paths once GET /execution/{idx}/ is in the spec (see cli/client/untyped.ts).
import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { fields } from '../../client/output.js';
import { stateText, untypedCall, type LooseExecution } from '../../client/untyped.js';

export default class ExecutionsGet extends ClientCommand {
  static override description = 'One execution (GET /execution/{id}/)';
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<LooseExecution> {
    const { args, flags } = await this.parse(ExecutionsGet);
    const { url, token } = this.session(flags);
    const e = await untypedCall<LooseExecution>(url, token, 'GET', `/execution/${encodeURIComponent(args.id)}/`);
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
