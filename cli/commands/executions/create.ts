import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { call } from '../../client/api.js';
import { ClientFailure, EXIT } from '../../client/errors.js';
import { ACTIVE_STATES, stateText } from '../../client/states.js';
import type { components } from '../../../generated/api.js';

type Execution = components['schemas']['ExecutionBasic'];

export default class ExecutionsCreate extends ClientCommand {
  static override description = [
    'Create and launch an execution of an instance (POST /execution/) with the solver configuration of a JSON file.',
    'With --wait, follow its status (GET /execution/{id}/status/) until it ends: exit 0 when solved (state 1),',
    '4 when it ended otherwise.',
  ].join(' ');
  static override enableJsonFlag = true;
  static override args = { instance: Args.string({ description: 'instance id', required: true }) };
  static override flags = {
    config: Flags.string({ char: 'c', description: 'JSON file with the solver configuration', required: true }),
    name: Flags.string({ char: 'n', description: 'execution name (default: the instance id)' }),
    description: Flags.string({ char: 'd', description: 'execution description' }),
    schema: Flags.string({ char: 's', description: "app (DAG) to run (default: the server's)" }),
    run: Flags.boolean({ allowNo: true, default: true, description: 'launch it (--no-run: create only, state -4)' }),
    wait: Flags.boolean({ char: 'w', description: 'wait until the execution ends, showing its status' }),
    interval: Flags.integer({ description: 'seconds between status polls with --wait', default: 2, min: 1 }),
    timeout: Flags.integer({ description: 'give up waiting after this many seconds (0: never)', default: 0, min: 0 }),
  };

  async run(): Promise<Execution> {
    const { args, flags } = await this.parse(ExecutionsCreate);
    let config: unknown;
    try {
      config = JSON.parse(readFileSync(flags.config, 'utf8'));
    } catch (err) {
      throw new ClientFailure(`cannot read ${flags.config}: ${(err as Error).message}`, EXIT.usage);
    }
    const { url, client } = this.session(flags);
    const body = { instance_id: args.instance, config, name: flags.name ?? args.instance, description: flags.description, schema: flags.schema };
    const created = await call(
      url,
      'POST /execution/',
      client.POST('/execution/', { body, params: { query: flags.run ? {} : { run: '0' } } }),
    );
    if (!this.jsonEnabled()) this.log(`created execution ${created.id}: ${stateText(created.state, created.message)}`);
    if (!flags.wait || !flags.run) return created;

    const live = process.stderr.isTTY && !this.jsonEnabled();
    const started = Date.now();
    let last = '';
    let status: Execution = created;
    while (ACTIVE_STATES.has(status.state)) {
      if (flags.timeout && Date.now() - started > flags.timeout * 1000) {
        if (live) process.stderr.write('\n');
        throw new ClientFailure(`execution ${created.id} still ${stateText(status.state)} after ${flags.timeout}s`, EXIT.server);
      }
      await new Promise((resolve) => setTimeout(resolve, flags.interval * 1000));
      const polled = await call(
        url,
        `GET /execution/${created.id}/status/`,
        client.GET('/execution/{idx}/status/', { params: { path: { idx: created.id } } }),
      );
      status = { ...status, ...polled };
      const line = stateText(status.state, status.message);
      const elapsed = Math.round((Date.now() - started) / 1000);
      if (live) process.stderr.write(`\r\x1b[2K${elapsed}s  ${line}`);
      else if (line !== last && !this.jsonEnabled()) this.log(`${elapsed}s  ${line}`);
      last = line;
    }
    if (live) process.stderr.write('\n');
    if (status.state !== 1) {
      throw new ClientFailure(`execution ${created.id} ended: ${stateText(status.state, status.message)}`, EXIT.rejected);
    }
    if (!this.jsonEnabled()) this.log(`execution ${created.id} solved`);
    return status;
  }
}
