// get_kubernetes_logs as text: where the lines come from and how they were chosen, then the lines.
import type { LogLine, LogsAnswer } from '../flux/controller-logs.js';
import { SCAN_LINES } from '../flux/controller-logs.js';
import { looksLikeRegex } from '../flux/grep.js';
import { shortenHex, truncate } from './text.js';

export const LINE_MAX = 500;

function lineText(l: LogLine, withPod: boolean, withObject: boolean): string {
  const parts = [l.time, l.level].filter(Boolean);
  if (withObject && l.kind && l.name)
    parts.push(`${l.kind} ${l.namespace ? `${l.namespace}/` : ''}${l.name}`);
  const head = parts.join(' ');
  const body = `${l.message}${l.error ? `: ${l.error}` : ''}`;
  const pod = withPod ? `[${l.pod}] ` : '';
  return `${pod}${truncate(shortenHex(head ? `${head}  ${body}` : body), LINE_MAX)}`;
}

/** `filters` name level and since; `grep` is the caller's pattern and how it was read. */
export function renderLogs(
  a: LogsAnswer,
  filters: string[],
  context: string,
  grep?: { pattern: string; regex: boolean },
): string {
  if (grep) filters = [...filters, grep.regex ? `grep /${grep.pattern}/i` : `grep "${grep.pattern}"`];
  const from = a.sources.map((s) => `pod ${s.namespace}/${s.pod} container ${s.container}`).join(', ');
  const source = a.controller ? `${a.controller} (${from})` : from;
  const how = filters.length > 0 ? `, ${filters.join(', ')}` : '';
  const count =
    a.matched > a.lines.length
      ? `the newest ${a.lines.length} of ${a.matched} matching lines`
      : `${a.lines.length} matching lines`;
  const lines = [
    `Logs of ${a.subject} from ${source}, context ${context}${how}: ${count} (scanned ${a.scanned} lines, at most the last ${SCAN_LINES} per container).`,
  ];
  const withPod = a.sources.length > 1;
  const withObject = !a.oneObject;
  for (const l of a.lines) lines.push(lineText(l, withPod, withObject));
  if (a.matched > a.lines.length)
    lines.push(
      `${a.matched - a.lines.length} older matching lines not shown: raise limit or narrow with since, level or grep`,
    );
  if (a.failures.length > 0) lines.push(`Could not read: ${a.failures.join('; ')}`);
  if (grep && !grep.regex && a.matched === 0 && looksLikeRegex(grep.pattern)) {
    lines.push(
      `grep is matched as plain text; to read "${grep.pattern}" as a regular expression, pass grep_regex: true`,
    );
  }
  return lines.join('\n');
}
