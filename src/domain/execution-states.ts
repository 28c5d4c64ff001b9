// cornflow's execution states and their standard messages (cornflow-api.md §3.9).
import type { ExecutionState } from '../orchestration/types.js';

export const STATE_MESSAGES: Record<ExecutionState, string> = {
  1: 'The execution has been solved correctly.',
  2: 'The execution was loaded manually.',
  0: 'The execution is currently running.',
  [-1]: 'The execution has found an error.',
  [-2]: 'The execution has stopped running.',
  [-3]: "The execution couldn't start running.",
  [-4]: "The execution wasn't run by user choice.",
  [-5]: 'The execution has an unknown error.',
  [-6]: 'The execution executed ok but failed while saving it.',
  [-7]: 'The execution is currently queued.',
};

export const STATE_CODES = Object.keys(STATE_MESSAGES).map(Number) as ExecutionState[];

/** States in which the orchestrator is polled (running, queued, unknown). */
export const ACTIVE_STATES: readonly number[] = [0, -7, -5];

export const isActive = (state: number): boolean => ACTIVE_STATES.includes(state);

export const invalidDataMessage = (what: 'config' | 'instance data' | 'solution data'): string =>
  `The execution could not be run because the ${what} does not comply with the json schema. Check the log for more details`;
