// cornflow's register_deployed_dags: the apps the orchestrator offers (Airflow: model DAGs and their schema
// variables) that are not yet in deployed_workflows are inserted; existing rows are not updated.
import type { Db } from '../storage/db.js';
import type { Orchestrator } from '../orchestration/types.js';
import { dagExists, insertDag } from '../storage/deployed-dags.js';
import { invalidateAppSchemas } from './app-schemas.js';
import { grantDagPermissions } from './dag-permissions.js';

const text = (v: unknown): string => JSON.stringify(v ?? {});

export async function syncAppsFromOrchestrator(db: Db, orchestrator: Orchestrator): Promise<string[]> {
  if (!(await orchestrator.healthy())) throw new Error(`${orchestrator.name} is not reachable`);
  const added: string[] = [];
  for (const app of await orchestrator.listApps()) {
    if (await dagExists(db, app.id)) continue;
    const s = app.schemas;
    await insertDag(db, {
      id: app.id,
      description: app.description,
      instance_schema: text(s.instance),
      solution_schema: text(s.solution),
      config_schema: text(s.config),
      instance_checks_schema: text(s.instance_checks),
      solution_checks_schema: text(s.solution_checks),
      kpis_schema: text(s.kpis),
    });
    added.push(app.id);
  }
  if (added.length) invalidateAppSchemas();
  return added;
}

/** Sync, then the DAG permissions of the new apps (as cornflow's start-up does right after). */
export async function syncAppsAndPermissions(db: Db, orchestrator: Orchestrator, openDeployment: boolean): Promise<string[]> {
  const added = await syncAppsFromOrchestrator(db, orchestrator);
  if (added.length) await grantDagPermissions(db, openDeployment);
  return added;
}
