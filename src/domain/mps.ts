// MPS → PuLP model dict, as cornflow's POST /instancefile/ stores it:
// `pulp.LpProblem.fromMPS(path, sense).toDict()` with PuLP 2.9.0 (the version cornflow pins).
//
// Two steps, so that what the file says and what PuLP can express stay apart:
//   readMps(text)            → MpsModel: the file's content with MPS semantics (ranges, OBJSENSE,
//                              objective constant, semi-continuous flags are kept here);
//   mpsToPulp(model, opts)   → PulpModel: PuLP's readMPS + fromDict + toDict round trip
//                              (name mangling, duplicate-entry folding, sorted variables,
//                              `__dummy` objective, …).
// Rule followed throughout: where PuLP 2.9.0 returns a model, return the same dict; where PuLP
// crashes or silently drops input, follow the MPS standard or reject the file.

export class MpsParseError extends Error {
  constructor(
    message: string,
    /** 1-based line of the file the problem was found on, when there is one. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'MpsParseError';
  }
}

// ── Output shape: PuLP's LpProblem.toDict(), keys in PuLP's order ──

// `N` is how a number is represented: plain `number` by default; the form built by parseMpsToPulpAs (as /instancefile/ uses it)
// writes the Python floats of PuLP's dict (values read by float()) as 1.0 and its int defaults as 0.
export interface PulpCoefficient<N = number> {
  name: string;
  value: N;
}
export interface PulpObjective<N = number> {
  name: string | null;
  coefficients: PulpCoefficient<N>[];
}
/** sense: -1 `<=`, 0 `=`, 1 `>=`; the row reads `Σ coef·x + constant (sense) 0`. */
export interface PulpConstraint<N = number> {
  sense: -1 | 0 | 1;
  pi: number | null;
  constant: N;
  name: string;
  coefficients: PulpCoefficient<N>[];
}
export interface PulpVariable<N = number> {
  lowBound: N | null;
  upBound: N | null;
  cat: 'Continuous' | 'Integer';
  varValue: number | null;
  dj: number | null;
  name: string;
}
export interface PulpParameters {
  name: string;
  sense: 1 | -1;
  status: number;
  sol_status: number;
}
export interface PulpModel<N = number> {
  objective: PulpObjective<N>;
  constraints: PulpConstraint<N>[];
  variables: PulpVariable<N>[];
  parameters: PulpParameters;
  sos1: unknown[];
  sos2: unknown[];
}

// ── What the file says ──

export interface MpsEntry {
  column: string;
  value: number;
}
export interface MpsRow {
  name: string;
  type: 'E' | 'L' | 'G';
  /** COLUMNS entries in file order; a repeated (column, row) pair is kept as written. */
  entries: MpsEntry[];
  rhs: number;
  /** Whether the RHS section set `rhs` (PuLP: a float), or it is the default int 0. */
  rhsFromFile: boolean;
  /** RANGES value R as written, or null. */
  range: number | null;
}
export interface MpsColumn {
  name: string;
  cat: 'Continuous' | 'Integer';
  /** null = unbounded. PuLP's defaults: 0 and null. */
  lowBound: number | null;
  upBound: number | null;
  /** Whether the bound was read from the file (PuLP: a float) rather than a default or BV's 0/1 (ints). */
  lowFromFile: boolean;
  upFromFile: boolean;
  semicontinuous: boolean;
}
export interface MpsModel {
  /** First word after NAME ('' without one), as PuLP reads it. */
  name: string;
  /** From an OBJSENSE section; PuLP ignores it (see mpsToPulp). */
  objsense: 'MIN' | 'MAX' | null;
  objective: {
    /** The chosen N row, or null when the file has none. */
    name: string | null;
    entries: MpsEntry[];
    /** −(RHS of the objective row); PuLP's dict has no place for it. */
    constant: number;
  };
  rows: MpsRow[];
  /** N rows other than the objective: ignored. */
  freeRows: string[];
  /** In order of first appearance in COLUMNS. */
  columns: MpsColumn[];
}

// ── Tokenising exactly like PuLP: re.split(" |\t", line), str.strip() each piece, drop empties ──

// Python's str.isspace() set (str.strip() removes these), which is not JavaScript's trim() set.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

function tokenize(line: string): string[] {
  const out: string[] = [];
  for (const piece of line.split(/[ \t]/)) {
    const t = piece.replace(PY_STRIP, '');
    if (t !== '') out.push(t);
  }
  return out;
}

// Python float(): underscores between digits, "1.", ".5", inf/infinity/nan in any case. Not hex,
// not Fortran "1D0", not "" (all of which JavaScript's Number() would treat differently).
const PY_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const PY_FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

function pyFloat(token: string): number | null {
  if (PY_FLOAT.test(token)) return Number(token.replaceAll('_', ''));
  const m = PY_FLOAT_SPECIAL.exec(token);
  if (m === null) return null;
  if (m[2].toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

const ROW_TYPES = new Set(['N', 'E', 'L', 'G']);
const BOUND_TYPES = new Set(['UP', 'LO', 'FX', 'FR', 'MI', 'PL', 'BV', 'LI', 'UI', 'SC']);
const BOUND_NEEDS_VALUE = new Set(['UP', 'LO', 'FX', 'LI', 'UI']);
const UNSUPPORTED_SECTIONS = new Set([
  'SOS', 'QUADOBJ', 'QMATRIX', 'QSECTION', 'QCMATRIX', 'CSECTION', 'INDICATORS', 'LAZYCONS', 'USERCUTS',
  'GENCONS', 'PWLOBJ', 'SCENARIOS', 'BRANCH',
]);
const OBJSENSE_VALUES = new Map<string, 'MIN' | 'MAX'>([['MIN', 'MIN'], ['MINIMIZE', 'MIN'], ['MAX', 'MAX'], ['MAXIMIZE', 'MAX']]);

type Mode = 'none' | 'rows' | 'columns' | 'rhs' | 'ranges' | 'bounds' | 'objsense' | 'objname';

interface RowAcc {
  name: string;
  type: 'N' | 'E' | 'L' | 'G';
  entries: MpsEntry[];
  rhs: number;
  rhsFromFile: boolean;
  range: number | null;
}

/** Reads MPS text (free or fixed format) into an MpsModel. Throws MpsParseError. */
export function readMps(text: string): MpsModel {
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
  let name = '';
  let objsense: 'MIN' | 'MAX' | null = null;
  let objname: string | null = null;
  let mode: Mode = 'none';
  let setName: string | null = null; // RHS/RANGES/BOUNDS set fixed on the header line ("RHS RHS1")
  let seenRows = false;
  let seenColumns = false;
  let integer = false;
  const rows = new Map<string, RowAcc>();
  const nRows: RowAcc[] = [];
  const columns = new Map<string, MpsColumn>();

  const fail = (msg: string, lineNo: number): never => {
    throw new MpsParseError(msg, lineNo);
  };
  const number = (token: string, lineNo: number, what: string): number => {
    const v = pyFloat(token);
    if (v === null || Number.isNaN(v)) fail(`${what} is not a number: '${token}'`, lineNo);
    return v as number;
  };
  const finite = (token: string, lineNo: number, what: string): number => {
    const v = number(token, lineNo, what);
    if (!Number.isFinite(v)) fail(`${what} must be finite: '${token}'`, lineNo);
    return v;
  };
  const row = (rowName: string, lineNo: number): RowAcc => {
    const r = rows.get(rowName);
    if (r === undefined) fail(`unknown row '${rowName}'`, lineNo);
    return r as RowAcc;
  };
  const column = (colName: string, lineNo: number): MpsColumn => {
    const c = columns.get(colName);
    if (c === undefined) fail(`unknown column '${colName}'`, lineNo);
    return c as MpsColumn;
  };
  // RHS and RANGES lines: [set] row value [row value]. Fixed format may leave the set name blank,
  // which whitespace splitting turns into 2 or 4 tokens (PuLP fails on those; we read them).
  const rowPairs = (t: string[], lineNo: number, section: string): string[] => {
    if (setName !== null) {
      if (t[0] !== setName) fail(`${section} set '${t[0]}' differs from '${setName}' given after ${section}`, lineNo);
      if (t.length !== 3 && t.length !== 5) fail(`malformed ${section} line`, lineNo);
      return t.slice(1);
    }
    if (t.length === 3 || t.length === 5) return t.slice(1);
    if (t.length === 2 || t.length === 4) return t;
    return fail(`malformed ${section} line`, lineNo);
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i];
    const t = tokenize(raw);
    if (t.length === 0) continue; // PuLP 2.9.0 crashes (IndexError) on blank lines
    if (raw.startsWith('*') || t[0] === '*') continue;
    const head = t[0];
    if (head === 'ENDATA') break;

    // Section headers: PuLP's own (NAME/ROWS/COLUMNS anywhere, RHS/BOUNDS with at most one word after),
    // then the ones PuLP does not know, recognised the same way.
    const isHeader =
      head === 'NAME' || head === 'ROWS' || head === 'COLUMNS' ||
      (t.length <= 2 && (head === 'RHS' || head === 'BOUNDS' || head === 'RANGES' || head === 'OBJSENSE' ||
        head === 'OBJNAME' || UNSUPPORTED_SECTIONS.has(head)));
    if (isHeader) {
      if (mode === 'objsense' || mode === 'objname') fail(`${mode.toUpperCase()} section has no value`, lineNo);
      if (head === 'NAME') {
        name = t.length > 1 ? t[1] : '';
        continue;
      }
      if (UNSUPPORTED_SECTIONS.has(head)) fail(`section ${head} is not supported`, lineNo);
      setName = null;
      if (head === 'ROWS') {
        mode = 'rows';
        seenRows = true;
      } else if (head === 'COLUMNS') {
        mode = 'columns';
        seenColumns = true;
      } else if (head === 'RHS' || head === 'RANGES' || head === 'BOUNDS') {
        mode = head === 'RHS' ? 'rhs' : head === 'RANGES' ? 'ranges' : 'bounds';
        setName = t.length > 1 ? t[1] : null;
      } else {
        // OBJSENSE / OBJNAME: the value follows on the same line or on the next one.
        mode = head === 'OBJSENSE' ? 'objsense' : 'objname';
        if (t.length > 1) readObjValue(t.slice(1), lineNo);
      }
      continue;
    }

    switch (mode) {
      case 'none':
        fail(`unexpected line outside any section: '${raw.trim().slice(0, 40)}'`, lineNo);
        break;
      case 'objsense':
      case 'objname':
        readObjValue(t, lineNo);
        break;
      case 'rows': {
        if (t.length !== 2) fail('a ROWS line must be: type name', lineNo);
        const [type, rowName] = t;
        if (!ROW_TYPES.has(type)) fail(`unknown row type '${type}'`, lineNo);
        const before = rows.get(rowName);
        // PuLP lets a later E/L/G declaration replace an earlier one (in place, entries and RHS reset).
        // An N row declared twice, or a name used for both N and E/L/G, has no sensible reading.
        if (before !== undefined && (before.type === 'N' || type === 'N')) fail(`row '${rowName}' declared twice`, lineNo);
        const r: RowAcc = { name: rowName, type: type as RowAcc['type'], entries: [], rhs: 0, rhsFromFile: false, range: null };
        rows.set(rowName, r);
        if (r.type === 'N') nRows.push(r);
        break;
      }
      case 'columns': {
        if (t.length > 1 && t[1] === "'MARKER'") {
          if (t.length !== 3) fail('malformed MARKER line', lineNo);
          if (t[2] === "'INTORG'") integer = true;
          else if (t[2] === "'INTEND'") integer = false;
          else fail(`unsupported marker ${t[2]}`, lineNo);
          break;
        }
        if (t.length % 2 === 0) fail('a COLUMNS line must be: column (row value)+', lineNo);
        const colName = t[0];
        let col = columns.get(colName);
        if (col === undefined) {
          // PuLP fixes the category where the column first appears.
          col = { name: colName, cat: integer ? 'Integer' : 'Continuous', lowBound: 0, upBound: null, lowFromFile: false, upFromFile: false, semicontinuous: false };
          columns.set(colName, col);
        }
        for (let j = 1; j < t.length; j += 2) {
          const r = row(t[j], lineNo);
          r.entries.push({ column: colName, value: finite(t[j + 1], lineNo, 'coefficient') });
        }
        break;
      }
      case 'rhs':
      case 'ranges': {
        const section = mode === 'rhs' ? 'RHS' : 'RANGES';
        const pairs = rowPairs(t, lineNo, section);
        for (let j = 0; j < pairs.length; j += 2) {
          const r = row(pairs[j], lineNo);
          const v = finite(pairs[j + 1], lineNo, `${section} value`);
          if (mode === 'rhs') {
            r.rhs = v;
            r.rhsFromFile = true;
          }
          else if (r.type !== 'N') r.range = v; // a range on a free row means nothing
        }
        break;
      }
      case 'bounds':
        readBound(t, lineNo);
        break;
    }
  }

  function readObjValue(t: string[], lineNo: number): void {
    if (mode === 'objsense') {
      const v = t.length === 1 ? OBJSENSE_VALUES.get(t[0].toUpperCase()) : undefined;
      if (v === undefined) fail(`bad OBJSENSE value '${t.join(' ')}'`, lineNo);
      objsense = v as 'MIN' | 'MAX';
    } else {
      if (t.length !== 1) fail(`bad OBJNAME value '${t.join(' ')}'`, lineNo);
      objname = t[0];
    }
    mode = 'none';
  }

  function readBound(t: string[], lineNo: number): void {
    const type = t[0];
    if (!BOUND_TYPES.has(type)) fail(`unknown bound type '${type}'`, lineNo);
    // [type, set, column, value?]; fixed format may leave the set blank: [type, column, value?].
    let colName: string;
    let valueToken: string | undefined;
    if (setName !== null) {
      if (t[1] !== setName) fail(`BOUNDS set '${t[1] ?? ''}' differs from '${setName}' given after BOUNDS`, lineNo);
      colName = t[2];
      valueToken = t[3];
      if (t.length < 3 || t.length > 4) fail('malformed BOUNDS line', lineNo);
    } else if (t.length === 4) {
      colName = t[2];
      valueToken = t[3];
    } else if (t.length === 3) {
      // As PuLP: the third word is the column when it is one; otherwise the set name was left blank.
      if (columns.has(t[2]) || !(BOUND_NEEDS_VALUE.has(type) || columns.has(t[1]))) {
        colName = t[2];
        valueToken = undefined;
      } else {
        colName = t[1];
        valueToken = t[2];
      }
    } else if (t.length === 2) {
      colName = t[1];
      valueToken = undefined;
    } else {
      return fail('malformed BOUNDS line', lineNo);
    }
    const col = column(colName, lineNo);
    if (BOUND_NEEDS_VALUE.has(type) && valueToken === undefined) fail(`bound ${type} needs a value`, lineNo);
    const value = (): number => number(valueToken as string, lineNo, 'bound');
    const lower = (v: number): number | null => {
      if (v === Infinity) fail('lower bound cannot be +infinity', lineNo);
      return v === -Infinity ? null : v;
    };
    const upper = (v: number): number | null => {
      if (v === -Infinity) fail('upper bound cannot be -infinity', lineNo);
      return v === Infinity ? null : v;
    };
    switch (type) {
      case 'UP': // PuLP: sets the upper bound only, even when negative (no "lower becomes -inf" rule)
        col.upBound = upper(value());
        col.upFromFile = true;
        break;
      case 'LO':
        col.lowBound = lower(value());
        col.lowFromFile = true;
        break;
      case 'FX': {
        const v = value();
        if (!Number.isFinite(v)) fail('fixed bound must be finite', lineNo);
        col.lowBound = v;
        col.upBound = v;
        col.lowFromFile = true;
        col.upFromFile = true;
        break;
      }
      case 'FR':
        col.lowBound = null;
        col.upBound = null;
        break;
      case 'MI': // not in PuLP 2.9.0; standard meaning
        col.lowBound = null;
        break;
      case 'PL': // PuLP 2.9.0: "bounds equal to defaults", nothing changes
        break;
      case 'BV': // PuLP: bounds 0..1, category unchanged
        col.lowBound = 0;
        col.upBound = 1;
        col.lowFromFile = false;
        col.upFromFile = false;
        break;
      case 'LI': // not in PuLP; standard meaning
        col.lowBound = lower(value());
        col.lowFromFile = true;
        col.cat = 'Integer';
        break;
      case 'UI':
        col.upBound = upper(value());
        col.upFromFile = true;
        col.cat = 'Integer';
        break;
      case 'SC': // not in PuLP; value (if any) is the upper bound, missing means +infinity
        col.semicontinuous = true;
        col.upBound = valueToken === undefined ? null : upper(value());
        col.upFromFile = valueToken !== undefined;
        break;
    }
  }

  if (!seenRows) throw new MpsParseError('no ROWS section');
  if (!seenColumns) throw new MpsParseError('no COLUMNS section');

  let objective: RowAcc | null = null;
  if (objname !== null) {
    objective = nRows.find((r) => r.name === objname) ?? null;
    if (objective === null) throw new MpsParseError(`OBJNAME '${objname}' is not an N row`);
  } else if (nRows.length > 0) {
    // PuLP 2.9.0 keeps the last N row and crashes if an earlier one has entries; the standard takes
    // the first. Both agree with this rule wherever PuLP returns a model.
    const earlierUsed = nRows.slice(0, -1).some((r) => r.entries.length > 0);
    objective = earlierUsed ? nRows[0] : nRows[nRows.length - 1];
  }

  const constraintRows: MpsRow[] = [];
  for (const r of rows.values()) {
    if (r.type !== 'N') constraintRows.push({ name: r.name, type: r.type, entries: r.entries, rhs: r.rhs, rhsFromFile: r.rhsFromFile, range: r.range });
  }
  return {
    name,
    objsense,
    objective: {
      name: objective === null ? null : objective.name,
      entries: objective === null ? [] : objective.entries,
      constant: objective === null ? 0 : 0 - objective.rhs,
    },
    rows: constraintRows,
    freeRows: nRows.filter((r) => r !== objective).map((r) => r.name),
    columns: [...columns.values()],
  };
}

// ── PuLP's fromDict/toDict round trip ──

// LpElement.illegal_chars (variables) and LpAffineExpression.trans (constraints, objective).
const VAR_ILLEGAL = /[-+[\] >/]/g;
const EXPR_ILLEGAL = /[-+[\] ]/g;
const pulpVarName = (s: string): string => s.replace(VAR_ILLEGAL, '_');
const pulpExprName = (s: string): string => s.replace(EXPR_ILLEGAL, '_');

/** Python's str ordering (by code point), which differs from UTF-16 order for astral characters. */
function comparePy(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** dict(var → value): the first occurrence fixes the position, the last one the value. */
function foldEntries<N>(entries: MpsEntry[], num: NumberForm<N>): PulpCoefficient<N>[] {
  const at = new Map<string, number>();
  const out: PulpCoefficient<N>[] = [];
  for (const e of entries) {
    const i = at.get(e.column);
    if (i === undefined) {
      at.set(e.column, out.length);
      out.push({ name: pulpVarName(e.column), value: num(e.value, true) });
    } else {
      out[i].value = num(e.value, true);
    }
  }
  return out;
}

const DUMMY = '__dummy';
const SENSE: Record<MpsRow['type'], -1 | 0 | 1> = { L: -1, E: 0, G: 1 };

/**
 * What `LpProblem.fromDict(readMPS(...)).toDict()` gives for this model. OBJSENSE is not used:
 * PuLP takes the sense from the caller only. Throws MpsParseError where PuLP raises PulpError
 * (clashing names after PuLP's renaming) or where the model cannot be expressed (semi-continuous).
 */
export function mpsToPulp(model: MpsModel, opts: { minimize: boolean }): PulpModel {
  return buildPulp(model, opts, (v) => v);
}

/** How a number of PuLP's dict is written: `isFloat` when PuLP holds a Python float, else an int. */
export type NumberForm<N> = (value: number, isFloat: boolean) => N;

function buildPulp<N>(model: MpsModel, opts: { minimize: boolean }, num: NumberForm<N>): PulpModel<N> {
  // LpProblem.addConstraint refuses two constraints whose PuLP names coincide.
  const names = new Set<string>();
  const rowNames = model.rows.map((r) => {
    const cname = pulpExprName(r.name);
    if (names.has(cname)) throw new MpsParseError(`overlapping constraint names: ${cname}`);
    names.add(cname);
    return cname;
  });

  const constraints: PulpConstraint<N>[] = [];
  const used = new Set<string>();
  model.rows.forEach((r, k) => {
    for (const e of r.entries) used.add(e.column);
    const coefficients = foldEntries(r.entries, num);
    // LpConstraint(e, rhs=b) has constant 0 - b: a float when b came from the file, else the int 0
    const row = (sense: -1 | 0 | 1, bound: number, name: string, coefs: PulpCoefficient<N>[], isFloat = r.rhsFromFile): PulpConstraint<N> =>
      ({ sense, pi: null, constant: num(0 - bound, isFloat), name, coefficients: coefs });
    if (r.range === null) {
      constraints.push(row(SENSE[r.type], r.rhs, rowNames[k], coefficients));
      return;
    }
    // PuLP has no ranged constraint. MPS standard: E with R≥0 → [b, b+R], E with R<0 → [b+R, b],
    // L → [b−|R|, b], G → [b, b+|R|]. A zero-width range is an equality; otherwise the row keeps the
    // side at its RHS and the other side follows it as "<name>_range".
    const R = r.range;
    const rhsIsUpper = r.type === 'L' || (r.type === 'E' && R < 0);
    const other = rhsIsUpper ? r.rhs - Math.abs(R) : r.rhs + Math.abs(R);
    if (other === r.rhs) {
      constraints.push(row(0, r.rhs, rowNames[k], coefficients));
      return;
    }
    let extra = `${rowNames[k]}_range`;
    for (let n = 2; names.has(extra); n++) extra = `${rowNames[k]}_range_${n}`;
    names.add(extra);
    constraints.push(row(rhsIsUpper ? -1 : 1, r.rhs, rowNames[k], coefficients));
    constraints.push(row(rhsIsUpper ? 1 : -1, other, extra, coefficients.map((c) => ({ ...c })), true));
  });

  const objCoefficients = foldEntries(model.objective.entries, num);
  for (const e of model.objective.entries) used.add(e.column);
  const variables: PulpVariable<N>[] = [];
  for (const c of model.columns) {
    if (!used.has(c.name)) continue; // LpProblem.variables() lists only variables in some expression
    const { lowBound, upBound } = c;
    // {0} ∪ [lo, up] is an interval only when it already contains 0.
    if (c.semicontinuous && ((lowBound !== null && lowBound > 0) || (upBound !== null && upBound < 0))) {
      throw new MpsParseError(`semi-continuous column '${c.name}' cannot be represented in a PuLP model`);
    }
    variables.push({
      lowBound: lowBound === null ? null : num(lowBound, c.lowFromFile),
      upBound: upBound === null ? null : num(upBound, c.upFromFile),
      cat: c.cat,
      varValue: null,
      dj: null,
      name: pulpVarName(c.name),
    });
  }
  variables.sort((a, b) => comparePy(a.name, b.name));
  for (let i = 1; i < variables.length; i++) {
    if (variables[i].name === variables[i - 1].name) {
      throw new MpsParseError(`repeated variable name after PuLP renaming: ${variables[i].name}`);
    }
  }
  if (objCoefficients.length === 0) {
    // toDict() checks duplicate names first, then fixObjective() gives an objective without variables
    // the `__dummy` variable; it joins the list last, and the (stable) sort keeps it after a user's
    // own column called __dummy.
    objCoefficients.push({ name: DUMMY, value: num(1, false) });
    variables.push({ lowBound: num(0, false), upBound: num(0, false), cat: 'Continuous', varValue: null, dj: null, name: DUMMY });
    variables.sort((a, b) => comparePy(a.name, b.name));
  }

  return {
    objective: { name: model.objective.name === null ? null : pulpExprName(model.objective.name), coefficients: objCoefficients },
    constraints,
    variables,
    parameters: { name: model.name, sense: opts.minimize ? 1 : -1, status: 0, sol_status: 0 },
    sos1: [],
    sos2: [],
  };
}

/** cornflow's `LpProblem.fromMPS(file, sense=1 if minimize else -1).toDict()`. Throws MpsParseError. */
export function parseMpsToPulp(text: string, opts: { minimize: boolean }): PulpModel {
  return mpsToPulp(readMps(text), opts);
}

/**
 * The same dict with Python's number types told apart: `num(value, isFloat)` builds each number, `isFloat`
 * for what PuLP read with float() (coefficients, RHS-derived constants, bounds given in the file), not for
 * its int defaults (constant 0, lowBound 0, BV's 0/1, the `__dummy` entries). /instancefile/ writes floats
 * as Python does (`1.0`, `2.5e-05`) so the stored text and data_hash match cornflow's.
 */
export function parseMpsToPulpAs<N>(text: string, opts: { minimize: boolean }, num: NumberForm<N>): PulpModel<N> {
  return buildPulp(readMps(text), opts, num);
}

/** Uploaded bytes → text. Python opens the saved file as UTF-8, so bytes that are not UTF-8 fail. */
export function decodeMpsFile(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MpsParseError('the file is not UTF-8 text');
  }
}
