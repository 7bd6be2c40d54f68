// The value of `reconcile.fluxcd.io/requestedAt`. The controllers treat it as opaque and copy it into
// `status.lastHandledReconcileAt`, so waiting for one request means waiting for its own value: two requests
// must never share one. The flux CLI writes RFC 3339 with nanoseconds (Go's time.RFC3339Nano); we keep that
// form, readable and parseable as a time, and fill the digits below the millisecond with a counter that
// starts at a random point, so requests from this process never collide and requests from two processes
// in the same millisecond almost never do.
import { randomInt } from 'node:crypto';

const SUB_MILLISECOND = 1_000_000;
let counter = randomInt(SUB_MILLISECOND);

export function newToken(now: Date = new Date()): string {
  counter = (counter + 1) % SUB_MILLISECOND;
  return now.toISOString().replace(/Z$/, `${String(counter).padStart(6, '0')}Z`);
}
