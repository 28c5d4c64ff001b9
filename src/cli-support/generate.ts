// The generator commands (`schemas generate_from_schema` and its alias `plugins generate`): read the files,
// generate, write; every input problem is a one-line usage error (exit code 2).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generatePlugin, GeneratorError, writePlugin } from '../plugins/generator.js';
import { CliFailure } from './errors.js';

function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new CliFailure(`${what} ${path} does not exist`, 2);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new CliFailure(`${what} ${path} is not valid JSON: ${(err as Error).message}`, 2);
  }
}

export interface GenerateCommandOptions {
  path: string;
  appName?: string;
  outputPath: string;
  removeMethods?: string[];
  one?: string;
  endpointsMethods?: string;
  endpointsAccess?: string;
}

export function runGenerate(o: GenerateCommandOptions): { name: string; files: string[]; tables: string[] } {
  try {
    const generated = generatePlugin({
      schema: readJson(resolve(o.path), 'schema'),
      appName: o.appName,
      one: o.one,
      removeMethods: o.removeMethods?.map((m) => m.toLowerCase()),
      endpointsMethods: o.endpointsMethods ? (readJson(resolve(o.endpointsMethods), 'methods file') as Record<string, string[]>) : undefined,
      endpointsAccess: o.endpointsAccess ? (readJson(resolve(o.endpointsAccess), 'access file') as Record<string, string[]>) : undefined,
    });
    return { name: generated.name, files: writePlugin(generated, resolve(o.outputPath)), tables: generated.tables.map((t) => t.dbName) };
  } catch (err) {
    if (err instanceof GeneratorError) throw new CliFailure(err.message, 2);
    throw err;
  }
}
