// TODO(merge): re-type with the generated paths once GET /execution/{idx}/log/ is in the spec (see cli/client/untyped.ts).
import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { untypedCall } from '../../client/untyped.js';

export default class ExecutionsLog extends ClientCommand {
  static override description = "An execution's solver log (GET /execution/{id}/log/): log_text, or the whole answer with --json";
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ description: 'execution id', required: true }) };

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(ExecutionsLog);
    const { url, token } = this.session(flags);
    const body = await untypedCall<{ log_text?: string | null; log?: unknown }>(url, token, 'GET', `/execution/${encodeURIComponent(args.id)}/log/`);
    if (!this.jsonEnabled()) this.log(body.log_text ?? JSON.stringify(body.log ?? null, null, 2));
    return body;
  }
}
