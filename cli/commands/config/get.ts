import { Args, Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { findSetting, shown } from '../../../src/cli-support/config-view.js';
import { CliFailure } from '../../../src/cli-support/errors.js';

export default class ConfigGet extends CornflowCommand {
  static override description = 'Print the effective value of one configuration variable (secrets masked); None when unset';
  static override examples = ['<%= config.bin %> config get OPEN_DEPLOYMENT', '<%= config.bin %> config get -k DATABASE_URL'];
  static override args = { name: Args.string({ description: 'the variable, e.g. DATABASE_URL' }) };
  static override flags = {
    key: Flags.string({ char: 'k', description: 'the variable (cornflow\'s spelling of the argument)' }),
    reveal: Flags.boolean({ description: 'show a secret instead of ****', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ConfigGet);
    const name = args.name ?? flags.key;
    if (!name) throw new CliFailure('give the variable: cornflow config get NAME', 2);
    const setting = findSetting(this.cornflowConfig(flags), name);
    if (!setting) throw new CliFailure(`unknown configuration variable ${name} (see cornflow config list)`, 2);
    this.log(shown(setting, flags.reveal) ?? 'None');
  }
}
