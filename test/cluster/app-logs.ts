// What the demo applications write to their logs (there is no container to write them: kwok serves these
// files as their containers' logs, test/cluster/pods.ts): a web server that starts and serves requests, and
// a worker that cannot reach its queue and exits, as on every restart of a crash loop.
import { join } from 'node:path';
import { appendContainerLog, type LogLine } from './pods.js';

const SECOND = 1000;

function json(time: Date, level: string, msg: string, extra: Record<string, unknown> = {}): LogLine {
  return { time, stream: 'stderr', text: JSON.stringify({ level, ts: time.toISOString(), msg, ...extra }) };
}

/** A web server's start and `requests` requests, one every 2 s, the last at `end`. */
export function webServerLines(name: string, requests: number, end = new Date()): LogLine[] {
  const start = new Date(end.getTime() - (requests + 1) * 2 * SECOND);
  const lines = [
    json(start, 'info', 'Starting server', { app: name, version: '6.9.2', port: 8080 }),
    json(new Date(start.getTime() + 100), 'info', 'Ready to serve', { app: name }),
  ];
  for (let i = 0; i < requests; i++) {
    const time = new Date(end.getTime() - (requests - 1 - i) * 2 * SECOND);
    lines.push(json(time, 'info', 'request', { method: 'GET', path: i % 5 ? '/' : '/readyz', status: 200 }));
  }
  return lines;
}

/** One run of a worker that cannot connect to its queue: it starts, retries, gives up and exits 1. */
export function crashingWorkerLines(queue: string, end = new Date()): LogLine[] {
  const at = (ms: number) => new Date(end.getTime() - ms);
  const refused = `dial tcp ${queue}: connect: connection refused`;
  return [
    json(at(1500), 'info', 'starting worker', { version: '2.3.0', queue }),
    json(at(1000), 'error', 'connecting to the queue failed, retrying', { attempt: 1, error: refused }),
    json(at(500), 'error', 'connecting to the queue failed, retrying', { attempt: 2, error: refused }),
    json(at(0), 'error', 'giving up: cannot connect to the queue', { error: refused }),
    { time: at(0), stream: 'stderr', text: `panic: cannot connect to the queue: ${refused}` },
  ];
}

/** Writes a worker's current and previous runs (the previous one a minute earlier), returning the files. */
export function writeCrashingWorkerLogs(
  dir: string,
  name: string,
  queue: string,
): { log: string; previous: string } {
  const files = { log: join(dir, `${name}.log`), previous: join(dir, `${name}.previous.log`) };
  appendContainerLog(files.previous, crashingWorkerLines(queue, new Date(Date.now() - 60 * SECOND)));
  appendContainerLog(files.log, crashingWorkerLines(queue));
  return files;
}
