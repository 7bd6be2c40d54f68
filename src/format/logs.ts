// get_kubernetes_logs as text: where the lines come from and how they were chosen, then the newest lines,
// cut by size (src/format/budget.ts).
import type { LogLine, LogsAnswer } from '../flux/controller-logs.js';
import { SCAN_LINES } from '../flux/controller-logs.js';
import { looksLikeRegex } from '../flux/grep.js';
import { z } from 'zod';
import { fitToBudget, restHint, textBytes, TEXT_BUDGET } from './budget.js';
import { counts, facts } from './compact.js';
import { shortenHex, truncate } from './text.js';

export const LINE_MAX = 500;
/** Long lines are cut shorter before older lines are left out. */
const LINE_STEPS = [LINE_MAX, 200];

function lineText(l: LogLine, withPod: boolean, withObject: boolean, max: number): string {
  const parts = [l.time, l.level].filter(Boolean);
  if (withObject && l.kind && l.name)
    parts.push(`${l.kind} ${l.namespace ? `${l.namespace}/` : ''}${l.name}`);
  const head = parts.join(' ');
  const body = `${l.message}${l.error ? `: ${l.error}` : ''}`;
  const pod = withPod ? `[${l.pod}] ` : '';
  return `${pod}${truncate(shortenHex(head ? `${head}  ${body}` : body), max)}`;
}

/**
 * `filters` name level and since; `grep` is the caller's pattern and how it was read. Without a limit, the
 * newest lines while the text stays within about 3 KB, long lines cut shorter first; the older ones are
 * counted, with how to get them. With a limit, the lines read (the newest `limit`), cut as they are.
 * `lines` are the lines the text shows, oldest first.
 */
export function renderLogs(
  a: LogsAnswer,
  opts: { filters: string[]; context: string; grep?: { pattern: string; regex: boolean }; limit?: number },
): { text: string; lines: LogLine[]; compact: CompactLogs } {
  const { context, grep, limit } = opts;
  const filters = grep
    ? [...opts.filters, grep.regex ? `grep /${grep.pattern}/i` : `grep "${grep.pattern}"`]
    : opts.filters;
  const from = a.sources
    .map((s) => `pod ${s.namespace}/${s.pod} container ${s.container}${s.state ? ` (${s.state})` : ''}`)
    .join(', ');
  const source = a.controller ? `${a.controller} (${from})` : from;
  const how = filters.length > 0 ? `, ${filters.join(', ')}` : '';
  const tail: string[] = [];
  if (a.failures.length > 0) tail.push(`Could not read: ${a.failures.join('; ')}`);
  if (grep && !grep.regex && a.matched === 0 && looksLikeRegex(grep.pattern)) {
    tail.push(
      `grep is matched as plain text; to read "${grep.pattern}" as a regular expression, pass grep_regex: true`,
    );
  }
  const head = (shown: number) => {
    const count =
      a.matched > shown ? `the newest ${shown} of ${a.matched} matching lines` : `${shown} matching lines`;
    return `Logs of ${a.subject} from ${source}, context ${context}${how}: ${count} (scanned ${a.scanned} lines, at most the last ${SCAN_LINES} per container).`;
  };
  const withPod = a.sources.length > 1;
  const withObject = !a.oneObject;
  const older = (n: number) => [
    `${n} older matching lines not shown: ${restHint('since, level or grep', limit)}`,
  ];
  // Lines older than those read are counted whatever fits; room for that line is kept once.
  const olderRead = a.matched > a.lines.length ? older(a.matched) : [];
  // The newest line is the most important: the budget counts from the end.
  const newestFirst = (i: number) => a.lines[a.lines.length - 1 - i]!;
  const fit = fitToBudget(
    [
      {
        count: a.lines.length,
        lines: (i, max) => [lineText(newestFirst(i), withPod, withObject, max)],
        more: (n) => (olderRead.length > 0 ? [] : older(n)),
      },
    ],
    { room: TEXT_BUDGET - textBytes([head(0), ...olderRead, ...tail]), steps: LINE_STEPS, limit },
  );
  const shown = a.lines.slice(a.lines.length - fit.shown[0]!);
  const lines = [head(shown.length)];
  for (const l of shown) lines.push(lineText(l, withPod, withObject, fit.messageMax));
  if (a.matched > shown.length) lines.push(...older(a.matched - shown.length));
  lines.push(...tail);
  const compact: CompactLogs = {
    context,
    subject: a.subject,
    from: source,
    matched: a.matched,
    scanned: a.scanned,
    scanMax: SCAN_LINES,
    ...facts({
      lines: shown.map((l) => lineText(l, withPod, withObject, fit.messageMax)),
      more: counts({ lines: a.matched - shown.length }),
      next: a.matched > shown.length ? restHint('since, level or grep', limit) : undefined,
      failures: a.failures,
      hint: tail.find((t) => t.startsWith('grep is matched')),
    }),
  };
  return { text: lines.join('\n'), lines: shown, compact };
}

/** get_kubernetes_logs' compact structured content (docs/structured-content.md). */
export const compactLogsShape = {
  context: z.string(),
  subject: z.string(),
  /** The controller and the pods and containers read. */
  from: z.string(),
  matched: z.number(),
  scanned: z.number(),
  /** Lines read at most per container, the newest. */
  scanMax: z.number(),
  /** The newest matching lines, oldest first, as the text shows them. */
  lines: z.array(z.string()).optional(),
  more: z.object({ lines: z.number().optional() }).optional(),
  next: z.string().optional(),
  failures: z.array(z.string()).optional(),
  hint: z.string().optional(),
};

export type CompactLogs = z.infer<z.ZodObject<typeof compactLogsShape>>;
