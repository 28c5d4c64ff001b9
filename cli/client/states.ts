// cornflow's execution state codes, as the client commands print them.
/** cornflow's execution states (cornflow-api.md §3.9). */
export const EXECUTION_STATES: Record<number, string> = {
  1: 'solved',
  2: 'loaded manually',
  0: 'running',
  [-1]: 'error',
  [-2]: 'stopped',
  [-3]: 'could not start',
  [-4]: 'not run',
  [-5]: 'unknown',
  [-6]: 'saving failed',
  [-7]: 'queued',
};
/** States the server still polls the orchestrator for. */
export const ACTIVE_STATES = new Set([0, -7, -5]);

export function stateText(state: number, message?: string | null): string {
  return `${state} ${EXECUTION_STATES[state] ?? '?'}${message ? ` (${message})` : ''}`;
}
