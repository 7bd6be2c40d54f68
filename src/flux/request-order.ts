// Which handled reconcile request answers ours. Two callers (or this server and the flux CLI) can request a
// reconcile of one object moments apart; the controller reads the object when it starts a reconcile, so
// when both annotations landed before it did, it handles only the later token and never writes ours. A
// reconcile that handled a token written after ours started after our request: it covers it, and its
// outcome is ours. A handled token written before ours does not: that reconcile may have started before
// our request (docs/flux-semantics.md, Concurrent requests).
//
// "After ours" is known exactly from the watch, which sees every value the annotation takes after our
// patch. A handled token the watch never saw (it came and went while the watch reconnected) is compared
// as a time, the form both the flux CLI and this server write (RFC 3339), and otherwise not trusted.

export type Coverage = 'own' | 'later';

/** RFC 3339 with up to nine fractional digits, as milliseconds since epoch plus the digits below them. */
function instant(token: string): { ms: number; sub: number } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(token);
  if (!m) return undefined;
  const digits = (m[2] ?? '').padEnd(9, '0');
  const ms = Date.parse(`${m[1]}.${digits.slice(0, 3)}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return { ms, sub: Number(digits.slice(3)) };
}

/** Whether token `a` names a later moment than `b`; false when either is not a time. */
export function laterToken(a: string, b: string): boolean {
  const x = instant(a);
  const y = instant(b);
  if (!x || !y) return false;
  return x.ms > y.ms || (x.ms === y.ms && x.sub > y.sub);
}

export class RequestOrder {
  /** Tokens known to precede our latest request: the annotation before it, and our own earlier ones. */
  private readonly earlier = new Set<string>();
  /** Tokens the annotation took after our latest request, in the order seen. */
  private readonly later: string[] = [];

  constructor(
    private own: string,
    previous?: string,
  ) {
    if (previous && previous !== own) this.earlier.add(previous);
  }

  get token(): string {
    return this.own;
  }

  /** Records a value of the requestedAt annotation seen on the object after our request. */
  observe(annotation: string | undefined): void {
    if (!annotation || annotation === this.own || this.earlier.has(annotation)) return;
    if (!this.later.includes(annotation)) this.later.push(annotation);
  }

  /** A new request of ours: everything seen so far precedes it. */
  renew(token: string): void {
    this.earlier.add(this.own);
    for (const t of this.later) this.earlier.add(t);
    this.later.length = 0;
    this.own = token;
  }

  /** Whether the reconcile that handled `handled` answers our latest request, and how. */
  coverage(handled: string | undefined): Coverage | undefined {
    if (!handled) return undefined;
    if (handled === this.own) return 'own';
    if (this.later.includes(handled)) return 'later';
    if (this.earlier.has(handled)) return undefined;
    return laterToken(handled, this.own) ? 'later' : undefined;
  }
}
