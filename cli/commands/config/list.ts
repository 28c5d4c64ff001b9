import { Flags } from '@oclif/core';
import { CornflowCommand } from '../../base.js';
import { settings, shown } from '../../../src/cli-support/config-view.js';

export default class ConfigList extends CornflowCommand {
  static override description = 'List the effective configuration under cornflow\'s variable names (secrets masked)';
  static override enableJsonFlag = true;
  static override flags = {
    reveal: Flags.boolean({ description: 'show secrets instead of ****', default: false }),
  };

  async run(): Promise<Record<string, string | null>> {
    const { flags } = await this.parse(ConfigList);
    const out: Record<string, string | null> = {};
    for (const s of settings(this.cornflowConfig(flags))) {
      out[s.name] = shown(s, flags.reveal);
      this.log(`${s.name} = ${out[s.name] ?? 'None'}`);
    }
    return out;
  }
}
