import { writeFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { settingsIni } from '../../../src/cli-support/config-view.js';

export default class ConfigSave extends CornflowCommand {
  static override description =
    'Write the effective configuration to <path>config.cfg (an INI file with a [configuration] section, as cornflow); secrets masked unless --reveal';
  static override examples = ['<%= config.bin %> config save', '<%= config.bin %> config save -p /etc/cornflow/'];
  static override flags = {
    path: Flags.string({ char: 'p', default: '', description: 'prefix of the file: config.cfg is appended (as cornflow)' }),
    reveal: Flags.boolean({ description: 'write secrets instead of ****', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigSave);
    const file = `${flags.path}config.cfg`;
    writeFileSync(file, settingsIni(this.cornflowConfig(flags), flags.reveal), { mode: 0o600 });
    this.log(`configuration written to ${file}`);
  }
}
