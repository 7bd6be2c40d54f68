// The grep of get_kubernetes_logs. A caller's pattern runs over up to three container logs of 8 MiB each and
// must not be able to stall the server: a backtracking RegExp takes minutes on one line for `([^z]+)+zzz`.
// So: a plain substring by default, and regular expressions only through RE2 (re2js, a pure JavaScript port),
// whose matching time is linear in the text whatever the pattern. Its cost per character grows with the size
// of the compiled program, so large programs are refused and long lines are matched on their start.
import { RE2JS, RE2JSException } from 're2js';
import { FluxError } from './errors.js';

/** RE2 program size above which a pattern is refused (`a{1000}` is about 1000; `error|warn` about 10). */
export const MAX_PROGRAM_SIZE = 250;
/** Characters of a line a regular expression looks at. */
export const REGEX_TEXT_LIMIT = 64 * 1024;

export interface LinePattern {
  /** True when the text contains the pattern (ignoring case). */
  test(text: string): boolean;
}

function substringPattern(pattern: string): LinePattern {
  const needle = pattern.toLowerCase();
  return { test: (text) => text.toLowerCase().includes(needle) };
}

function regexPattern(pattern: string): LinePattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    throw new FluxError(
      `grep is not a regular expression RE2 accepts (no backreferences or lookaround): ${err.message}`,
    );
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) {
    throw new FluxError(
      `grep is too large a regular expression (RE2 program size ${re.programSize()}, at most ${MAX_PROGRAM_SIZE}): ` +
        'use smaller repetition counts, or a plain substring (grep_regex false)',
    );
  }
  return { test: (text) => re.test(text.length > REGEX_TEXT_LIMIT ? text.slice(0, REGEX_TEXT_LIMIT) : text) };
}

/** The caller's grep: a case-insensitive substring, or with `regex` an RE2 regular expression. */
export function linePattern(pattern: string, regex: boolean): LinePattern {
  return regex ? regexPattern(pattern) : substringPattern(pattern);
}

/** A substring that reads like a regular expression (`error|warn`, `sha1:[0-9a-f]+`, `^x`). */
export function looksLikeRegex(pattern: string): boolean {
  return /\||\.\*|\.\+|\\[dswbDSWB.]|^\^|\$$|\[[^\]]+\]|\(\?i\)/.test(pattern);
}
