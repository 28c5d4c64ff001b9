// Where an app's example instances come from. cornflow reads them from the Airflow variable
// z_<app>_examples; the local backend answers from the examples shipped with the built-in apps.
import type { Config } from '../config.js';
import { builtInApp, type AppExample } from '../apps/index.js';
import { CommunicationError } from '../domain/errors.js';

export interface ExampleSource {
  /** The app's examples; [] for an app without any. */
  examples(app: string): Promise<AppExample[]>;
}

class LocalExamples implements ExampleSource {
  async examples(app: string): Promise<AppExample[]> {
    return builtInApp(app)?.examples() ?? [];
  }
}

class AirflowExamples implements ExampleSource {
  async examples(_app: string): Promise<AppExample[]> {
    // TODO(airflow client): check Airflow's health, GET /dags/<app>, then the variable z_<app>_examples
    // (a JSON-encoded list of {name, description, instance, solution?}); Airflow errors keep their status.
    throw new CommunicationError('Airflow is not reachable');
  }
}

export function createExampleSource(config: Pick<Config, 'backend'>): ExampleSource {
  return config.backend === 'local' ? new LocalExamples() : new AirflowExamples();
}
