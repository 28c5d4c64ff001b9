// TODO(merge): re-type with the generated paths once POST /execution/{idx}/ is in the spec (see cli/client/untyped.ts).
import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { untypedCall } from '../../client/untyped.js';

export default class ExecutionsStop extends ClientCommand {
  static override description = 'Stop a running execution (POST /execution/{id}/)';
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExecutionsStop);
    const { url, token } = this.session(flags);
    const body = await untypedCall<{ message?: string }>(url, token, 'POST', `/execution/${encodeURIComponent(args.id)}/`);
    this.log(body.message ?? `execution ${args.id} stopped`);
  }
}
