import { Command, Flags } from '@oclif/core';
import { failWith } from '../../base.js';
import { METHOD_OPTIONS } from '../../../src/plugins/generator.js';
import { runGenerate } from '../../../src/cli-support/generate.js';

export default class GenerateFromSchema extends Command {
  static override description =
    "Generate a plugin (OpenAPI fragment, migration, handlers, permissions and tests) from a JSON schema describing tables (cornflow's generator input)";
  static override examples = ['<%= config.bin %> schemas generate_from_schema -p tables.json -a my_app -o plugins/my_app'];
  static override flags = {
    path: Flags.string({ char: 'p', required: true, description: 'the path to the JSONSchema' }),
    'app-name': Flags.string({ char: 'a', description: 'the name of the application (prefix of the tables and urls)' }),
    'output-path': Flags.string({ char: 'o', default: 'output', description: 'the output folder' }),
    'remove-methods': Flags.string({ char: 'r', multiple: true, options: [...METHOD_OPTIONS], description: 'methods that will NOT be added to the endpoints' }),
    one: Flags.string({ description: 'if the schema describes only one table, the name of the table' }),
    'endpoints-methods': Flags.string({ char: 'm', description: 'json file with a dict {table: [methods]} of the methods of each table' }),
    'endpoints-access': Flags.string({ char: 'e', description: 'json file with a dict {table: [roles]} of the roles with access (default [service])' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(GenerateFromSchema);
    try {
      const r = runGenerate({
        path: flags.path,
        appName: flags['app-name'],
        outputPath: flags['output-path'],
        removeMethods: flags['remove-methods'],
        one: flags.one,
        endpointsMethods: flags['endpoints-methods'],
        endpointsAccess: flags['endpoints-access'],
      });
      for (const f of r.files) this.log(`wrote ${f}`);
      this.log(`plugin ${r.name} (tables ${r.tables.join(', ')}): load it with CORNFLOW_PLUGINS=${flags['output-path']}`);
    } catch (err) {
      failWith(this, err);
    }
  }
}
