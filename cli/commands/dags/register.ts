import { CornflowCommand } from '../../base.js';
import { CliFailure } from '../../../src/cli-support/errors.js';
import { createOrchestrator } from '../../../src/orchestration/orchestrator.js';
import { syncAppsAndPermissions } from '../../../src/domain/app-sync.js';

export default class DagsRegister extends CornflowCommand {
  static override description =
    'Register the apps deployed on the orchestrator (Airflow model DAGs and their schemas) in deployed_workflows';

  async run(): Promise<void> {
    const { flags } = await this.parse(DagsRegister);
    const config = this.cornflowConfig(flags);
    if (config.backend === 'local') {
      throw new CliFailure('no orchestrator configured: CORNFLOW_BACKEND is local (set CORNFLOW_BACKEND=1 and AIRFLOW_URL)');
    }
    if (config.backend !== 'airflow') throw new CliFailure(`dags register is not implemented for ${config.backend}`);
    const db = await this.database(config);
    let added: string[];
    try {
      added = await syncAppsAndPermissions(db, createOrchestrator(config), config.openDeployment);
    } catch (err) {
      throw new CliFailure(`could not read the apps deployed on Airflow: ${(err as Error).message}`);
    }
    this.log(added.length ? `Registered ${added.length} apps: ${added.join(', ')}` : 'No new apps to register');
  }
}
