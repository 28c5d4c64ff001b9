// The example plugin's app for the local backend: adds up the numbers of the instance. The local pool imports
// this module in a child process and calls solve(instance, config, solution) (src/local/runner.ts).
export function solve(instance: { numbers: number[] }, config: { scale?: number }): {
  solution: { total: number };
  log_json: Record<string, unknown>;
  log_text: string;
} {
  const scale = config.scale ?? 1;
  const total = instance.numbers.reduce((a, b) => a + b, 0) * scale;
  return { solution: { total }, log_json: { status: 'Optimal', best_solution: total }, log_text: `summed ${instance.numbers.length} numbers: ${total}\n` };
}
