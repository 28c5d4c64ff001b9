import { Args, Command, Flags } from '@oclif/core';
import { failWith } from '../../base.js';
import { METHOD_OPTIONS } from '../../../src/plugins/generator.js';
import { runGenerate } from '../../../src/cli-support/generate.js';

export default class PluginsGenerate extends Command {
  static override description = 'Generate a plugin from a JSON schema describing tables (same as `schemas generate_from_schema`)';
  static override examples = ['<%= config.bin %> plugins generate tables.json --name my_app --out plugins/my_app'];
  static override args = { schema: Args.string({ required: true, description: 'the JSON schema file' }) };
  static override flags = {
    name: Flags.string({ description: 'the application name (prefix of the tables and urls)' }),
    out: Flags.string({ description: 'the output folder (default plugins/<name>, or output)' }),
    table: Flags.string({ description: 'the table name when the schema is a single array' }),
    without: Flags.string({ multiple: true, options: [...METHOD_OPTIONS], description: 'methods to leave out' }),
    roles: Flags.string({ description: 'json file {table: [roles]} (default [service])' }),
    methods: Flags.string({ description: 'json file {table: [methods]}' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PluginsGenerate);
    const outputPath = flags.out ?? (flags.name ? `plugins/${flags.name}` : 'output');
    try {
      const r = runGenerate({ path: args.schema, appName: flags.name, outputPath, removeMethods: flags.without, one: flags.table, endpointsAccess: flags.roles, endpointsMethods: flags.methods });
      for (const f of r.files) this.log(`wrote ${f}`);
      this.log(`plugin ${r.name} (tables ${r.tables.join(', ')}): load it with CORNFLOW_PLUGINS=${outputPath}`);
    } catch (err) {
      failWith(this, err);
    }
  }
}
