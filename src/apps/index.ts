// Apps built into this server (registered in deployed_workflows at start-up, src/bootstrap.ts). Their schemas
// and examples are JSON files next to this module; the examples answer /example/ on the local backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

export interface AppExample {
  name: string;
  description: string | null;
  instance: unknown;
  solution?: unknown;
}

export interface BuiltInApp {
  id: string;
  description: string;
  /** JSON text of each schema column (null: the app has none). */
  schemas: {
    instance_schema: string;
    solution_schema: string;
    config_schema: string;
    instance_checks_schema: string;
    solution_checks_schema: string;
    kpis_schema: string;
  };
  examples(): AppExample[];
}

const file = (app: string, name: string): string => readFileSync(join(PROJECT_ROOT, 'src', 'apps', app, name), 'utf8');
const compact = (text: string): string => JSON.stringify(JSON.parse(text));

function solveModelDag(): BuiltInApp {
  const instance = compact(file('solve_model_dag', 'instance.json'));
  return {
    id: 'solve_model_dag',
    description: 'Solves a PuLP model (the JSON of pulp.LpProblem.toDict()) with a PuLP solver',
    schemas: {
      instance_schema: instance,
      // cornflow's solve_model_dag uses the PuLP model schema for the solution too (solution.json = instance.json).
      solution_schema: compact(file('solve_model_dag', 'solution.json')),
      config_schema: compact(file('solve_model_dag', 'config.json')),
      instance_checks_schema: '{}',
      solution_checks_schema: '{}',
      kpis_schema: '{}',
    },
    examples: () => JSON.parse(file('solve_model_dag', 'examples.json')) as AppExample[],
  };
}

let apps: BuiltInApp[] | undefined;

export function builtInApps(): BuiltInApp[] {
  apps ??= [solveModelDag()];
  return apps;
}

export function builtInApp(id: string): BuiltInApp | undefined {
  return builtInApps().find((a) => a.id === id);
}
