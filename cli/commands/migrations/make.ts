import { Args, Command, Flags } from '@oclif/core';
import { relative } from 'node:path';
import { PROJECT_ROOT } from '../../../src/paths.js';
import { makeMigration } from '../../../src/cli-support/migrations.js';
import { failWith } from '../../base.js';

export default class MigrationsMake extends Command {
  static override description = 'Write a new migration skeleton migrations/NNN_NAME.ts and register it in migrations/index.ts (contributors)';
  static override examples = ['<%= config.bin %> migrations make add_instance_tags'];
  static override args = {
    name: Args.string({ required: true, description: 'snake_case name of the migration' }),
  };
  static override flags = {
    root: Flags.string({ description: 'the cornflow-ts checkout to write into', default: PROJECT_ROOT }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MigrationsMake);
    try {
      const file = makeMigration(flags.root, args.name);
      this.log(`created ${relative(process.cwd(), file) || file}; registered in migrations/index.ts`);
    } catch (err) {
      failWith(this, err);
    }
  }
}
