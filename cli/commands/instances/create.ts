import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { call } from '../../client/api.js';
import { ClientFailure, EXIT } from '../../client/errors.js';
import type { components } from '../../../generated/api.js';

type Request = components['schemas']['InstanceCreateRequest'];

export default class InstancesCreate extends ClientCommand {
  static override description = [
    'Create an instance from a JSON file (POST /instance/). The file is either the instance data (sent as written,',
    'numbers kept exactly; the name defaults to the file name) or a whole request body {name, data, …} (recognised',
    'by its "data" key); --name, --description and --schema override the file.',
  ].join(' ');
  static override enableJsonFlag = true;
  static override args = { file: Args.string({ description: 'JSON file', required: true }) };
  static override flags = {
    name: Flags.string({ char: 'n', description: 'instance name' }),
    description: Flags.string({ char: 'd', description: 'instance description' }),
    schema: Flags.string({ char: 's', description: 'app (DAG) whose instance schema applies (server default solve_model_dag)' }),
  };

  async run(): Promise<components['schemas']['InstanceDetail']> {
    const { args, flags } = await this.parse(InstancesCreate);
    let text: string;
    let parsed: unknown;
    try {
      text = readFileSync(args.file, 'utf8');
      parsed = JSON.parse(text);
    } catch (err) {
      throw new ClientFailure(`cannot read ${args.file}: ${(err as Error).message}`, EXIT.usage);
    }
    const { url, client } = this.session(flags);
    const meta = { name: flags.name, description: flags.description, schema: flags.schema };
    const isRequest = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'data' in parsed;
    const body: Request = isRequest
      ? { ...(parsed as Request), ...definedOnly(meta) }
      : { ...definedOnly(meta), name: flags.name ?? basename(args.file, extname(args.file)), data: parsed };
    // Data given alone goes out as the file's own text, so numbers beyond double precision are not rounded.
    const serialise = isRequest
      ? undefined
      : ({ data: _data, ...rest }: Request): string => `{"data":${text.trim()},${JSON.stringify(rest).slice(1)}`;
    const created = await call(url, 'POST /instance/', client.POST('/instance/', { body, ...(serialise ? { bodySerializer: serialise } : {}) }));
    if (!this.jsonEnabled()) this.log(`created instance ${created.id} (${created.name})`);
    return created;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
