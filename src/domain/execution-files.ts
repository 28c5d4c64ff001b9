// Execution files (EXECUTION_FILES=1, cornflow-api.md §2.5): the worker uploads a zip per execution, users download
// it, the service user cleans up old ones. Stored at <EXECUTION_FILES_PATH>/<execution id>.zip.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import type { Config } from '../config.js';
import type { Db } from '../storage/db.js';
import * as store from '../storage/executions.js';
import { ownerScope } from './ownership.js';
import { AppError, InvalidUsage, ObjectDoesNotExist } from './errors.js';

export const FILES_STATUS_TEXT: Record<number, string> = {
  0: 'The output files were not generated for this execution',
  [-1]: 'The generation of the execution files failed. Please contact support.',
  [-2]: 'The requested files have been deleted. Please wait while they are generated again.',
  [-3]: 'The requested files are not up-to-date. Please wait while they are generated again.',
};
const STATUSES = [0, -1, -2, -3, 1];

function requireEnabled(config: Config): void {
  if (!config.executionFiles.enabled) throw new AppError(501, 'Execution files are not active for this deployment');
}

const fileOf = (config: Config, id: string) => join(config.executionFiles.path, `${id}.zip`);

export interface UploadedZip {
  originalname: string;
  buffer: Buffer;
}

export async function uploadExecutionFiles(db: Db, config: Config, id: string, statusText: string, file: UploadedZip | undefined): Promise<string> {
  requireEnabled(config);
  const status = Number(statusText);
  if (!Number.isInteger(status) || !STATUSES.includes(status)) throw new InvalidUsage(`execution_files_status must be one of ${STATUSES.join(', ')}`);
  const row = await store.findExecution(db, null, id);
  if (!row) throw new ObjectDoesNotExist();
  if (status !== 1) {
    await store.updateExecution(db, id, { execution_files_status: status });
    return 'Execution files status saved correctly';
  }
  if (!file) throw new InvalidUsage("Execution file status was 'OK' but not file was provided.");
  let valid = file.originalname.toLowerCase().endsWith('.zip');
  if (valid) {
    try {
      new AdmZip(file.buffer).getEntries();
    } catch {
      valid = false;
    }
  }
  if (!valid) throw new InvalidUsage('The execution file must be a valid .zip file');
  await mkdir(config.executionFiles.path, { recursive: true });
  await writeFile(fileOf(config, id), file.buffer);
  await store.updateExecution(db, id, { execution_files_status: 1 });
  return 'Execution files saved correctly';
}

const stamp = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
};

export async function downloadExecutionFiles(db: Db, config: Config, userId: number, id: string) {
  requireEnabled(config);
  const row = await store.findExecution(db, await ownerScope(db, config, userId), id);
  if (!row) throw new ObjectDoesNotExist();
  let status = row.execution_files_status;
  let body: Buffer | undefined;
  if (status === 1) {
    try {
      body = await readFile(fileOf(config, id));
    } catch {
      status = -2;
      await store.updateExecution(db, id, { execution_files_status: -2 });
    }
  }
  if (status !== 1 || !body) throw new AppError(400, FILES_STATUS_TEXT[status] ?? FILES_STATUS_TEXT[0]!, { status });
  return {
    body,
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename=${row.name}_${stamp(new Date())}.zip`,
      'X-Message': 'The files were generated successfully.',
      'X-Status-Code': '200',
    },
  };
}

export async function cleanupExecutionFiles(db: Db, config: Config): Promise<string> {
  requireEnabled(config);
  if (config.executionFiles.cleanupDays === 0) throw new AppError(501, 'Execution files cleanup is deactivated server-side.');
  let names: string[];
  try {
    if (!(await stat(config.executionFiles.path)).isDirectory()) return 'No execution files found';
    names = (await readdir(config.executionFiles.path)).filter((n) => n.endsWith('.zip'));
  } catch {
    return 'No execution files found';
  }
  const limit = Date.now() - config.executionFiles.cleanupDays * 86_400_000;
  let deleted = 0;
  for (const name of names) {
    const id = name.slice(0, -'.zip'.length);
    const updated = await store.executionUpdatedMillis(db, id);
    if (updated !== undefined && updated > limit) continue;
    await rm(join(config.executionFiles.path, name), { force: true });
    if (updated !== undefined) await store.markExecutionFilesDeleted(db, id);
    deleted += 1;
  }
  return `${deleted} files were deleted.`;
}
