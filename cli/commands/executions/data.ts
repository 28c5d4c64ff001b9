// TODO(merge): re-type with the generated paths once GET /execution/{idx}/data/ is in the spec (see cli/client/untyped.ts).
import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { untypedCall } from '../../client/untyped.js';

export default class ExecutionsData extends ClientCommand {
  static override description = "An execution's solution, checks and state as JSON on stdout (GET /execution/{id}/data/)";
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExecutionsData);
    const { url, token } = this.session(flags);
    const body = await untypedCall<unknown>(url, token, 'GET', `/execution/${encodeURIComponent(args.id)}/data/`);
    this.log(JSON.stringify(body, null, 2));
  }
}
