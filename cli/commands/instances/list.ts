import { Flags } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { call } from '../../client/api.js';
import { table } from '../../client/output.js';
import type { components } from '../../../generated/api.js';

type Row = components['schemas']['InstanceListItem'];

export default class InstancesList extends ClientCommand {
  static override description = 'List the instances you may see, newest first (GET /instance/)';
  static override enableJsonFlag = true;
  static override flags = {
    limit: Flags.integer({ description: 'largest number of rows (the server defaults to 10)', min: 0 }),
    offset: Flags.integer({ description: 'rows skipped', min: 0 }),
    schema: Flags.string({ description: 'only instances of this app' }),
  };

  async run(): Promise<Row[]> {
    const { flags } = await this.parse(InstancesList);
    const { url, client } = this.session(flags);
    const query = { limit: flags.limit, offset: flags.offset, schema: flags.schema };
    const rows = await call(url, 'GET /instance/', client.GET('/instance/', { params: { query } }));
    if (!this.jsonEnabled()) {
      this.log(
        rows.length
          ? table(rows, [
              { header: 'id', get: (r) => r.id },
              { header: 'created', get: (r) => r.created_at },
              { header: 'schema', get: (r) => r.schema },
              { header: 'user', get: (r) => r.user_id },
              { header: 'name', get: (r) => r.name },
            ])
          : 'no instances',
      );
    }
    return rows;
  }
}
