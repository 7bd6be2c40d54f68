// The audit log: one JSON line per call of a tool that writes, to a file (--audit-log) or stderr.
import { createWriteStream, type WriteStream } from 'node:fs';

export interface AuditRecord {
  time: string;
  type: 'audit';
  /** The authenticated caller over HTTP; the kubeconfig user's identity is in the cluster's own audit log. */
  identity: string | null;
  /** Under --impersonate, the groups the caller's Kubernetes requests carried. */
  groups?: string[];
  session: string | null;
  tool: string;
  arguments: Record<string, unknown>;
  context: string | null;
  /** What happened: the result (ready, failed, timeout, dry-run, suspended, ...), counts such as
   * `partial: 2 suspended, 1 forbidden` for several objects, or error when the call was refused. */
  outcome: string;
  message?: string;
  durationMs: number;
}

export interface AuditSink {
  /** Resolves once the line is handed to the operating system, so the record exists before the answer. */
  write(record: AuditRecord): Promise<void>;
  close(): Promise<void>;
}

class StreamSink implements AuditSink {
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly owned: boolean,
  ) {}

  write(record: AuditRecord): Promise<void> {
    return new Promise((resolve) => this.stream.write(`${JSON.stringify(record)}\n`, () => resolve()));
  }

  close(): Promise<void> {
    if (!this.owned) return Promise.resolve();
    return new Promise((resolve) => (this.stream as WriteStream).end(resolve));
  }
}

/** Appends to `path` (created with mode 0600), or writes to stderr when no path is given. */
export function openAuditSink(path: string | undefined): Promise<AuditSink> {
  if (!path || path === '-') return Promise.resolve(new StreamSink(process.stderr, false));
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  return new Promise((resolve, reject) => {
    stream.once('open', () => resolve(new StreamSink(stream, true)));
    stream.once('error', (err) => reject(new Error(`cannot open --audit-log ${path}: ${err.message}`)));
  });
}
