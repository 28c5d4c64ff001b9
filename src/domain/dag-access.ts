// Who may use which app (permission_dag). cornflow's [dagperm] decorator applies only with OPEN_DEPLOYMENT=0;
// /schema/<app>/ and /example/… check the row whatever OPEN_DEPLOYMENT is (cornflow-platform.md §2.5).
import type { Db } from '../storage/db.js';
import type { Config } from '../config.js';
import { dagIdsOfUser, userHasDag } from '../storage/deployed-dags.js';
import { AppError, InvalidUsage } from './errors.js';

export const DAG_PERMISSION_MESSAGES = {
  noSchema: 'The request does not specify a schema to use',
  noPermission: 'You do not have permission to use this DAG',
  schemaDenied: 'User does not have permission to access this dag',
  exampleDenied: 'User does not have permission to access this dag.',
} as const;

/**
 * cornflow's [dagperm] check for an operation whose body names the app in `schema` (POST /instance/, …):
 * nothing under open deployment; otherwise 400 without a schema and 403 without a permission_dag row.
 */
export async function requireDagPermission(db: Db, config: Pick<Config, 'openDeployment'>, userId: number, schema: string | null | undefined): Promise<void> {
  if (config.openDeployment) return;
  if (schema === undefined || schema === null) throw new InvalidUsage(DAG_PERMISSION_MESSAGES.noSchema);
  if (!(await userHasDag(db, userId, schema))) throw new AppError(403, DAG_PERMISSION_MESSAGES.noPermission);
}

/** 403 with the given message unless the user has the app (the /schema/ and /example/ checks). */
export async function requireAppAccess(db: Db, userId: number, app: string, message: string): Promise<void> {
  if (!(await userHasDag(db, userId, app))) throw new AppError(403, message);
}

export function appsOfUser(db: Db, userId: number): Promise<string[]> {
  return dagIdsOfUser(db, userId);
}
