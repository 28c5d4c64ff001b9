// Where an app's example instances come from. cornflow reads them from the Airflow variable
// z_<app>_examples; the local backend answers from the examples shipped with the built-in apps.
import type { Config } from '../config.js';
import { builtInApp, type AppExample } from '../apps/index.js';
import { AppError, CommunicationError } from '../domain/errors.js';
import { AirflowOrchestrator } from './airflow.js';
import { OrchestratorError } from './types.js';

export interface ExampleSource {
  /** The app's examples; [] for an app without any. */
  examples(app: string): Promise<AppExample[]>;
}

class LocalExamples implements ExampleSource {
  async examples(app: string): Promise<AppExample[]> {
    return builtInApp(app)?.examples() ?? [];
  }
}

/** cornflow on Airflow: health, then the DAG (its errors pass through), then the variable z_<app>_examples. */
class AirflowExamples implements ExampleSource {
  private readonly airflow: AirflowOrchestrator;
  constructor(config: Pick<Config, 'airflow'>) {
    this.airflow = new AirflowOrchestrator(config.airflow.url, config.airflow.user, config.airflow.password);
  }
  async examples(app: string): Promise<AppExample[]> {
    if (!(await this.airflow.healthy())) throw new CommunicationError('Airflow is not reachable');
    try {
      await this.airflow.dagInfo(app);
      return (await this.airflow.examples(app)) as AppExample[];
    } catch (err) {
      // Airflow's errors keep their status and text, as cornflow's AirflowError; a missing variable is no examples.
      if (err instanceof OrchestratorError) {
        if (err.status === 404 && err.message.includes('Variable')) return [];
        throw new AppError([400, 404].includes(err.status) ? err.status : 400, err.message);
      }
      throw err;
    }
  }
}

export function createExampleSource(config: Pick<Config, 'backend' | 'airflow'>): ExampleSource {
  if (config.backend === 'airflow') return new AirflowExamples(config);
  if (config.backend === 'local') return new LocalExamples();
  return { examples: async () => { throw new CommunicationError('Airflow is not reachable'); } };
}
