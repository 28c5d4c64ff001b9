import { CornflowCommand } from '../../base.js';
import { CliFailure } from '../../../src/cli-support/errors.js';

export default class DagsRegister extends CornflowCommand {
  static override description =
    'Register the apps deployed on the orchestrator (Airflow model DAGs and their schemas) in deployed_workflows';

  async run(): Promise<void> {
    const { flags } = await this.parse(DagsRegister);
    const config = this.cornflowConfig(flags);
    // The Airflow client is not part of this codebase yet: refuse clearly instead of pretending.
    if (config.backend === 'local') {
      throw new CliFailure('no orchestrator configured: CORNFLOW_BACKEND is local (set CORNFLOW_BACKEND=1 and AIRFLOW_URL)');
    }
    throw new CliFailure(`dags register is not implemented for ${config.backend} yet`);
  }
}
