// solve_model_dag on HiGHS: takes a PuLP model (pulp.LpProblem.toDict()) and cornflow's solver config, writes the
// model as CPLEX-LP text, solves it with HiGHS (WebAssembly) and answers what cornflow's solve_model_dag answers:
// the model with varValue filled in (the solution), a solver log as JSON (orloge's keys) and as text, the
// execution state code and the solution state code (cornflow_client constants).
//
// Names: PuLP allows names the LP format does not (spaces, leading digits, 'e'-prefixed numbers, brackets…), so
// columns are written as x0…xn and rows as c0…cn and mapped back; the PuLP names never reach the LP text.
import highsModule, { type Highs } from 'highs';

// highs ships CommonJS types with `export default`: from ESM the loader is the module's default (at run time the
// .mjs build's default export; typed as the CJS module's `default`).
type Loader = typeof highsModule.default;
const highsLoader: Loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as Loader;

export interface PulpCoefficient { name: string; value: number }
export interface PulpVariable {
  name: string;
  lowBound?: number | null;
  upBound?: number | null;
  cat: string;
  varValue?: number | null;
  dj?: number | null;
}
export interface PulpConstraint {
  name: string;
  /** PuLP: -1 ≤, 0 =, 1 ≥; the constraint reads Σ coef·var + constant (sense) 0. */
  sense: number;
  pi: number | null;
  constant?: number | null;
  coefficients: PulpCoefficient[];
}
export interface PulpModel {
  objective: { name?: string | null; coefficients: PulpCoefficient[]; constant?: number | null };
  constraints: PulpConstraint[];
  variables: PulpVariable[];
  /** sense: 1 minimise, -1 maximise (PuLP). */
  parameters: { name: string; sense: number; status?: number; sol_status?: number };
  sos1?: unknown[];
  sos2?: unknown[];
  [k: string]: unknown;
}

export interface SolverConfig {
  solver?: string;
  mip?: boolean;
  msg?: boolean;
  timeLimit?: number;
  seconds?: number;
  threads?: number;
  gapRel?: number;
  gapAbs?: number;
  MIPGap?: number;
  maxNodes?: number;
  [k: string]: unknown;
}

// cornflow_client.constants
export const STATUS_NOT_SOLVED = 0;
export const STATUS_OPTIMAL = 1;
export const STATUS_INFEASIBLE = -1;
export const STATUS_UNBOUNDED = -2;
export const STATUS_UNDEFINED = -3;
export const STATUS_FEASIBLE = 2;
export const STATUS_TIME_LIMIT = 5;
export const SOLUTION_STATUS_INFEASIBLE = 0;
export const SOLUTION_STATUS_FEASIBLE = 2;
// orloge's sol_code (= PuLP's LpSolution*): 0 no solution found, 1 optimal, 2 integer feasible, -1 infeasible, -2 unbounded.
const SOL_NONE = 0;
const SOL_OPTIMAL = 1;
const SOL_FEASIBLE = 2;
const SOL_INFEASIBLE = -1;
const SOL_UNBOUNDED = -2;

export interface SolveResult {
  /** The model with varValue (and parameters.status / sol_status) filled in; null when no feasible solution. */
  solution: PulpModel | null;
  log_json: Record<string, unknown>;
  log_text: string;
  /** Execution-level status (cornflow_client STATUS_*). */
  state: number;
  /** SOLUTION_STATUS_FEASIBLE (2) or SOLUTION_STATUS_INFEASIBLE (0). */
  solutionState: number;
}

export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

let highsPromise: Promise<Highs> | undefined;
function highs(): Promise<Highs> {
  highsPromise ??= highsLoader();
  return highsPromise!;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** LP-format number: no exponent surprises, no "-0". */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new ModelError(`not a finite number: ${v}`);
  if (Object.is(v, -0)) return '0';
  return String(v);
}

function term(coef: number, col: string, first: boolean): string {
  const sign = coef < 0 ? '-' : '+';
  const abs = Math.abs(coef);
  return `${first && sign === '+' ? '' : `${sign} `}${num(abs)} ${col}`;
}

interface Written {
  lp: string;
  colOf: Map<string, string>;
  objConstant: number;
}

const isInteger = (v: PulpVariable): boolean => /^(integer|binary)$/i.test(v.cat) || v.cat === 'LpInteger' || v.cat === 'LpBinary';
const isBinary = (v: PulpVariable): boolean => /^binary$/i.test(v.cat) || v.cat === 'LpBinary';

/** Writes a PuLP model as CPLEX-LP text with safe names. Throws ModelError on an inconsistent model. */
export function toLp(model: PulpModel, relax = false): Written {
  if (!model || !Array.isArray(model.variables) || !Array.isArray(model.constraints) || !model.objective || !model.parameters) {
    throw new ModelError('the model needs objective, constraints, variables and parameters');
  }
  const colOf = new Map<string, string>();
  model.variables.forEach((v, i) => {
    if (typeof v?.name !== 'string') throw new ModelError(`variable ${i} has no name`);
    if (colOf.has(v.name)) throw new ModelError(`variable ${v.name} appears twice`);
    colOf.set(v.name, `x${i}`);
  });
  const col = (name: string, where: string): string => {
    const c = colOf.get(name);
    if (!c) throw new ModelError(`${where} uses variable ${name}, which is not in variables`);
    return c;
  };
  const sense = model.parameters.sense === -1 ? 'Maximize' : 'Minimize';
  const lines: string[] = [sense];
  const objTerms = (model.objective.coefficients ?? []).map((c, i) => term(c.value, col(c.name, 'the objective'), i === 0));
  const objConstant = finite(model.objective.constant) ? model.objective.constant : 0;
  // HiGHS reads a constant in the objective; an empty objective still needs a term.
  lines.push(` obj: ${objTerms.length ? objTerms.join(' ') : `0 ${colOf.values().next().value ?? 'x0'}`}${objConstant ? ` ${objConstant < 0 ? '-' : '+'} ${num(Math.abs(objConstant))}` : ''}`);
  lines.push('Subject To');
  model.constraints.forEach((c, i) => {
    const op = c.sense === -1 ? '<=' : c.sense === 1 ? '>=' : c.sense === 0 ? '=' : undefined;
    if (!op) throw new ModelError(`constraint ${c.name} has sense ${c.sense} (PuLP: -1, 0 or 1)`);
    const rhs = -(finite(c.constant) ? c.constant : 0);
    const terms = (c.coefficients ?? []).map((t, j) => term(t.value, col(t.name, `constraint ${c.name}`), j === 0));
    if (terms.length === 0) {
      // A constant constraint: write it on a dummy column fixed to zero via a 0 coefficient of the first column.
      terms.push(`0 ${colOf.values().next().value ?? 'x0'}`);
    }
    lines.push(` c${i}: ${terms.join(' ')} ${op} ${num(rhs)}`);
  });
  lines.push('Bounds');
  for (const v of model.variables) {
    const c = colOf.get(v.name)!;
    let lo = finite(v.lowBound) ? v.lowBound : v.lowBound === undefined && isBinary(v) ? 0 : -Infinity;
    let up = finite(v.upBound) ? v.upBound : v.upBound === undefined && isBinary(v) ? 1 : Infinity;
    if (isBinary(v)) {
      lo = Math.max(lo, 0);
      up = Math.min(up, 1);
    }
    if (lo === -Infinity && up === Infinity) lines.push(` ${c} free`);
    else if (lo === up) lines.push(` ${c} = ${num(lo)}`);
    else lines.push(` ${lo === -Infinity ? '-inf' : num(lo)} <= ${c} <= ${up === Infinity ? '+inf' : num(up)}`);
  }
  const ints = relax ? [] : model.variables.filter(isInteger).map((v) => colOf.get(v.name)!);
  if (ints.length) {
    lines.push('General');
    for (let i = 0; i < ints.length; i += 10) lines.push(` ${ints.slice(i, i + 10).join(' ')}`);
  }
  lines.push('End');
  return { lp: lines.join('\n') + '\n', colOf, objConstant };
}

/** Max violation of the model's constraints and bounds by the given values (for limit statuses). */
function violation(model: PulpModel, values: Map<string, number>): number {
  let worst = 0;
  for (const c of model.constraints) {
    let lhs = finite(c.constant) ? c.constant : 0;
    for (const t of c.coefficients ?? []) lhs += t.value * (values.get(t.name) ?? 0);
    const v = c.sense === -1 ? lhs : c.sense === 1 ? -lhs : Math.abs(lhs);
    worst = Math.max(worst, v);
  }
  for (const v of model.variables) {
    const x = values.get(v.name) ?? 0;
    if (finite(v.lowBound)) worst = Math.max(worst, v.lowBound - x);
    if (finite(v.upBound)) worst = Math.max(worst, x - v.upBound);
    if (isInteger(v)) worst = Math.max(worst, Math.abs(x - Math.round(x)));
  }
  return worst;
}

/** PuLP's solver names are accepted; HiGHS always solves (the log says so). */
export async function solve(instance: unknown, config: SolverConfig = {}): Promise<SolveResult> {
  const model = structuredClone(instance) as PulpModel;
  const started = Date.now();
  const requested = typeof config.solver === 'string' && config.solver ? config.solver : 'PULP_CBC_CMD';
  const written = toLp(model, config.mip === false);
  const options: Record<string, unknown> = { output_flag: false };
  const limit = finite(config.timeLimit) ? config.timeLimit : finite(config.seconds) ? config.seconds : undefined;
  if (limit !== undefined && limit > 0) options.time_limit = limit;
  const gapRel = finite(config.gapRel) ? config.gapRel : finite(config.MIPGap) ? config.MIPGap : undefined;
  if (gapRel !== undefined && gapRel >= 0) options.mip_rel_gap = gapRel;
  if (finite(config.gapAbs) && config.gapAbs >= 0) options.mip_abs_gap = config.gapAbs;
  if (finite(config.maxNodes) && config.maxNodes > 0) options.mip_max_nodes = Math.floor(config.maxNodes);
  if (finite(config.threads) && config.threads > 0) options.threads = Math.floor(config.threads);

  const h = await highs();
  const result = h.solve(written.lp, options as never);
  const time = (Date.now() - started) / 1000;

  const values = new Map<string, number>();
  const columns = result.Columns as Record<string, { Primal?: number; Dual?: number }>;
  for (const [name, c] of written.colOf) {
    const p = columns?.[c]?.Primal;
    if (finite(p)) values.set(name, p);
  }
  const hasValues = model.variables.length > 0 && values.size === model.variables.length;
  const isMip = config.mip !== false && model.variables.some(isInteger);

  let state: number;
  let sol: number;
  let statusText: string;
  switch (result.Status) {
    case 'Optimal':
    case 'Empty':
      state = STATUS_OPTIMAL;
      sol = SOL_OPTIMAL;
      statusText = 'Optimal';
      break;
    case 'Infeasible':
      state = STATUS_INFEASIBLE;
      sol = SOL_INFEASIBLE;
      statusText = 'Infeasible';
      break;
    case 'Unbounded':
      state = STATUS_UNBOUNDED;
      sol = SOL_UNBOUNDED;
      statusText = 'Unbounded';
      break;
    case 'Primal infeasible or unbounded':
      // PuLP's CBC reports this as infeasible too; say which in the text.
      state = STATUS_INFEASIBLE;
      sol = SOL_INFEASIBLE;
      statusText = 'Infeasible or unbounded';
      break;
    case 'Time limit reached':
    case 'Iteration limit reached':
    case 'Bound on objective reached':
    case 'Target for objective reached': {
      const feasible = hasValues && violation(model, values) <= 1e-6;
      state = STATUS_TIME_LIMIT;
      sol = feasible ? SOL_FEASIBLE : SOL_NONE;
      statusText = `${result.Status === 'Time limit reached' ? 'Time limit' : result.Status}${feasible ? ' - feasible solution found' : ' - no solution found'}`;
      if (!feasible) values.clear();
      break;
    }
    default:
      state = STATUS_UNDEFINED;
      sol = SOL_NONE;
      statusText = `Not solved (${result.Status})`;
  }
  const feasible = sol === SOL_OPTIMAL || sol === SOL_FEASIBLE;
  const objective = feasible ? result.ObjectiveValue : null;

  let solution: PulpModel | null = null;
  if (feasible) {
    for (const v of model.variables) {
      v.varValue = values.get(v.name) ?? null;
      if (!isMip) {
        const d = columns?.[written.colOf.get(v.name)!]?.Dual;
        v.dj = finite(d) ? d : (v.dj ?? null);
      }
    }
    const rows = result.Rows as Array<{ Dual?: number }>;
    if (!isMip) model.constraints.forEach((c, i) => {
      const d = rows?.[i]?.Dual;
      c.pi = finite(d) ? d : c.pi;
    });
    model.parameters.status = state === STATUS_OPTIMAL ? 1 : 0;
    model.parameters.sol_status = sol;
    solution = model;
  }

  const log_json: Record<string, unknown> = {
    solver: 'HiGHS',
    version: '1.15.3 (npm highs)',
    requested_solver: requested,
    status: statusText,
    status_code: state,
    sol_code: sol,
    objective,
    best_solution: objective,
    best_bound: sol === SOL_OPTIMAL ? objective : null,
    gap: sol === SOL_OPTIMAL ? 0 : null,
    time,
    matrix: {
      constraints: model.constraints.length,
      variables: model.variables.length,
      nonzeros: model.constraints.reduce((n, c) => n + (c.coefficients?.length ?? 0), 0),
    },
    nodes: null,
    progress: {},
  };
  const log_text = [
    `solve_model_dag: solver ${requested} requested, solved with HiGHS 1.15.3 (WebAssembly)`,
    `Problem ${model.parameters.name ?? ''}: ${model.constraints.length} rows, ${model.variables.length} columns, ${isMip ? 'MIP' : 'LP'}`,
    `Options: ${JSON.stringify(options)}`,
    `HiGHS model status: ${result.Status}`,
    `Status: ${statusText}`,
    `Objective value: ${objective ?? 'none'}`,
    `Time (s): ${time}`,
    '',
  ].join('\n');
  return { solution, log_json, log_text, state, solutionState: feasible ? SOLUTION_STATUS_FEASIBLE : SOLUTION_STATUS_INFEASIBLE };
}
