import { Args } from '@oclif/core';
import { ClientCommand } from '../../client/command.js';
import { call } from '../../client/api.js';
import { fields, table } from '../../client/output.js';
import type { components } from '../../../generated/api.js';

export default class InstancesGet extends ClientCommand {
  static override description = 'One instance and its executions (GET /instance/{id}/)';
  static override enableJsonFlag = true;
  static override args = { id: Args.string({ description: 'instance id', required: true }) };

  async run(): Promise<components['schemas']['InstanceDetail']> {
    const { args, flags } = await this.parse(InstancesGet);
    const { url, client } = this.session(flags);
    const instance = await call(url, `GET /instance/${args.id}/`, client.GET('/instance/{idx}/', { params: { path: { idx: args.id } } }));
    if (!this.jsonEnabled()) {
      this.log(
        fields([
          ['id', instance.id],
          ['name', instance.name],
          ['description', instance.description],
          ['schema', instance.schema],
          ['created', instance.created_at],
          ['user', instance.user_id],
          ['data hash', instance.data_hash],
        ]),
      );
      this.log('');
      this.log(
        instance.executions.length
          ? table(instance.executions, [
              { header: 'execution', get: (e) => e.id },
              { header: 'created', get: (e) => e.created_at },
              { header: 'name', get: (e) => e.name },
            ])
          : 'no executions',
      );
    }
    return instance;
  }
}
