// Failures the CLI reports as one line: bad usage (exit 2) or a failed operation (exit 1).
import { ConfigError } from '../config.js';
import { AppError } from '../domain/errors.js';

export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** The one line and exit code for any error a command lets escape. */
export function describeFailure(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliFailure) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof ConfigError) return { message: err.message, exitCode: 2 };
  if (err instanceof AppError) return { message: err.message, exitCode: 1 };
  const message = err instanceof Error ? err.message : String(err);
  return { message: message.split('\n')[0] || 'unknown error', exitCode: 1 };
}
