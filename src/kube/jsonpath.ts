// kubectl JSONPath expressions (https://kubernetes.io/docs/reference/kubectl/jsonpath/), one per field, as
// `kubectl get -o jsonpath` and the Flux Operator MCP server's `fields` take them: `spec.sourceRef.name`,
// `.status.conditions[?(@.type=="Ready")].message`, `{.metadata.labels}`, `status.history[0].chartVersion`,
// `..image`. The braces and the leading dot are optional. Supported: fields (`.a`, `['a']`, `["a"]`),
// wildcards (`.*`, `[*]`), indexes and slices (`[0]`, `[-1]`, `[1:3]`, `[::2]`), unions (`[0,2]`,
// `['a','b']`), recursive descent (`..a`) and filters (`[?(@.a.b == "x")]` with ==, !=, <, <=, >, >=, or
// `[?(@.a)]` for presence). As in kubectl, a field of a list selects nothing: `[*]` walks a list.

export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

type Literal = string | number | boolean | null;

type Step =
  | { type: 'field'; names: string[] }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'index'; items: (number | { start?: number; end?: number; step?: number })[] }
  | { type: 'filter'; left: Step[]; op?: Operator; right?: Literal | Step[] };

type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface FieldPath {
  /** The expression without braces and leading dot: the key its values are shown under. */
  readonly expr: string;
  readonly steps: readonly Step[];
}

/** `{.a.b}`, `.a.b` and `a.b` alike: trimmed, braces and the leading dot (not `..`) removed. */
export function bareExpression(field: string): string {
  let expr = field.trim();
  if (expr.startsWith('{') && expr.endsWith('}')) expr = expr.slice(1, -1).trim();
  if (expr.startsWith('.') && !expr.startsWith('..')) expr = expr.slice(1);
  return expr;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(why: string): never {
    throw new JsonPathError(`${why} at character ${this.i + 1}`);
  }

  private peek(n = 0): string {
    return this.s[this.i + n] ?? '';
  }

  private skipSpaces(): void {
    while (this.peek() === ' ') this.i++;
  }

  /** Steps until the end, or until `stop` (a filter's operator or closing parenthesis). */
  steps(stop?: RegExp): Step[] {
    const steps: Step[] = [];
    // The expression starts with a field name without a dot (`spec.x`), or with `[`, `..` or `*`.
    if (this.peek() !== '.' && this.peek() !== '[' && this.peek() !== '' && !(stop && stop.test(this.rest())))
      steps.push(this.fieldOrWildcard());
    while (this.i < this.s.length) {
      if (stop && stop.test(this.rest())) break;
      const c = this.peek();
      if (c === '.' && this.peek(1) === '.') {
        this.i += 2;
        steps.push({ type: 'recursive' });
        if (this.peek() === '[') continue;
        steps.push(this.fieldOrWildcard());
      } else if (c === '.') {
        this.i++;
        steps.push(this.fieldOrWildcard());
      } else if (c === '[') {
        steps.push(this.bracket());
      } else {
        this.fail(`unexpected "${c}"`);
      }
    }
    return steps;
  }

  private rest(): string {
    return this.s.slice(this.i);
  }

  private fieldOrWildcard(): Step {
    if (this.peek() === '*') {
      this.i++;
      return { type: 'wildcard' };
    }
    const m = /^[^.[\]\s()=!<>]+/.exec(this.rest());
    if (!m) this.fail('a field name is missing');
    this.i += m[0].length;
    return { type: 'field', names: [m[0]] };
  }

  private quoted(): string {
    const q = this.peek();
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) this.fail('a quote is not closed');
    const v = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return v;
  }

  private bracket(): Step {
    this.i++; // [
    this.skipSpaces();
    let step: Step;
    if (this.peek() === '?') {
      step = this.filter();
    } else if (this.peek() === '*') {
      this.i++;
      step = { type: 'wildcard' };
    } else if (this.peek() === "'" || this.peek() === '"') {
      const names = [this.quoted()];
      this.skipSpaces();
      while (this.peek() === ',') {
        this.i++;
        this.skipSpaces();
        if (this.peek() !== "'" && this.peek() !== '"') this.fail('a quoted field name is expected');
        names.push(this.quoted());
        this.skipSpaces();
      }
      step = { type: 'field', names };
    } else {
      const m = /^[-0-9: ,]+/.exec(this.rest());
      if (!m) this.fail('an index, a slice, a quoted name, * or a filter is expected');
      this.i += m[0].length;
      step = { type: 'index', items: m[0].split(',').map((part) => this.indexItem(part.trim())) };
    }
    this.skipSpaces();
    if (this.peek() !== ']') this.fail('"]" is missing');
    this.i++;
    return step;
  }

  private indexItem(part: string): number | { start?: number; end?: number; step?: number } {
    const num = (t: string | undefined) => {
      if (t === undefined || t.trim() === '') return undefined;
      if (!/^-?\d+$/.test(t.trim())) this.fail(`"${part}" is not an index`);
      return Number(t.trim());
    };
    if (!part.includes(':')) {
      const n = num(part);
      if (n === undefined) this.fail('an index is empty');
      return n;
    }
    const [start, end, step, extra] = part.split(':');
    if (extra !== undefined) this.fail(`"${part}" is not a slice`);
    const slice: { start?: number; end?: number; step?: number } = {};
    const s = num(start);
    const e = num(end);
    const t = num(step);
    if (s !== undefined) slice.start = s;
    if (e !== undefined) slice.end = e;
    if (t !== undefined) {
      if (t <= 0) this.fail('a slice step must be 1 or more');
      slice.step = t;
    }
    return slice;
  }

  private filter(): Step {
    this.i++; // ?
    this.skipSpaces();
    if (this.peek() !== '(') this.fail('"(" is missing after "?"');
    this.i++;
    this.skipSpaces();
    const left = this.operand();
    this.skipSpaces();
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.rest());
    let step: Step = { type: 'filter', left: left as Step[] };
    if (!Array.isArray(left)) this.fail('a filter starts with @');
    if (m) {
      this.i += m[0].length;
      this.skipSpaces();
      step = { type: 'filter', left, op: m[0] as Operator, right: this.operand() };
      this.skipSpaces();
    }
    if (this.peek() !== ')') this.fail('")" is missing in the filter');
    this.i++;
    return step;
  }

  /** `@.a.b` (steps), a quoted string, a number, true, false or null. */
  private operand(): Literal | Step[] {
    const c = this.peek();
    if (c === '@') {
      this.i++;
      return this.steps(/^\s*(==|!=|<=|>=|<|>|\))/);
    }
    if (c === "'" || c === '"') return this.quoted();
    const m = /^(-?\d+(\.\d+)?|true|false|null)/.exec(this.rest());
    if (!m) this.fail('a value (quoted text, a number, true, false or null) or @ is expected');
    this.i += m[0].length;
    return m[0] === 'true' ? true : m[0] === 'false' ? false : m[0] === 'null' ? null : Number(m[0]);
  }
}

/** Parses one expression; throws JsonPathError saying what is wrong and where. */
export function parseFieldPath(field: string): FieldPath {
  const expr = bareExpression(field);
  if (expr === '') throw new JsonPathError(`field "${field}" is empty`);
  if (/^range\b|\}\s*\{/.test(expr) || expr.includes('{'))
    throw new JsonPathError(`field "${field}" must be a single expression, such as spec.suspend`);
  try {
    return { expr, steps: new Parser(expr).steps() };
  } catch (err) {
    if (err instanceof JsonPathError) throw new JsonPathError(`field "${field}": ${err.message}`);
    throw err;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function descendants(v: unknown, out: unknown[]): void {
  out.push(v);
  if (Array.isArray(v)) for (const x of v) descendants(x, out);
  else if (isObject(v)) for (const k of Object.keys(v)) descendants(v[k], out);
}

function sliceOf(list: readonly unknown[], item: { start?: number; end?: number; step?: number }): unknown[] {
  const n = list.length;
  const clamp = (x: number) => Math.min(n, Math.max(0, x < 0 ? n + x : x));
  const start = clamp(item.start ?? 0);
  const end = clamp(item.end ?? n);
  const out: unknown[] = [];
  for (let i = start; i < end; i += item.step ?? 1) out.push(list[i]);
  return out;
}

function compare(a: unknown, op: Operator, b: unknown): boolean {
  if (op === '==') return a === b;
  if (op === '!=') return a !== b;
  if (typeof a === 'number' && typeof b === 'number') {
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  }
  return false;
}

function apply(steps: readonly Step[], input: unknown[]): unknown[] {
  let values = input;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of values) {
      switch (step.type) {
        case 'field':
          if (isObject(v)) for (const n of step.names) if (n in v && v[n] !== undefined) next.push(v[n]);
          break;
        case 'wildcard':
          if (Array.isArray(v)) next.push(...v);
          else if (isObject(v)) for (const k of Object.keys(v).sort()) next.push(v[k]);
          break;
        case 'recursive':
          descendants(v, next);
          break;
        case 'index':
          if (!Array.isArray(v)) break;
          for (const item of step.items) {
            if (typeof item === 'number') {
              const at = item < 0 ? v.length + item : item;
              if (at >= 0 && at < v.length) next.push(v[at]);
            } else {
              next.push(...sliceOf(v, item));
            }
          }
          break;
        case 'filter': {
          const items = Array.isArray(v) ? v : [v];
          for (const x of items) {
            const lefts = apply(step.left, [x]);
            if (!step.op) {
              if (lefts.length > 0) next.push(x);
              continue;
            }
            const rights = Array.isArray(step.right) ? apply(step.right, [x]) : [step.right];
            if (lefts.some((l) => rights.some((r) => compare(l, step.op!, r)))) next.push(x);
          }
          break;
        }
      }
    }
    values = next;
  }
  return values;
}

/** The values `path` selects in `obj`, in document order. */
export function select(path: FieldPath, obj: unknown): unknown[] {
  return apply(path.steps, [obj]);
}

/**
 * `obj` reduced to what the paths select, keyed by expression: one value as it is, several as a list, none
 * left out (as the Flux Operator MCP server projects objects).
 */
export function project(paths: readonly FieldPath[], obj: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of paths) {
    const values = select(p, obj);
    if (values.length === 1) out[p.expr] = values[0];
    else if (values.length > 1) out[p.expr] = values;
  }
  return out;
}
