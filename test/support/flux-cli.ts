// The real flux CLI of a Flux release (built from its Go module by test/cluster/build-flux-cli.sh), for
// checking the commands this server prints: each command's subcommand and flags against the CLI's --help,
// and `flux migrate -f` run for real in a dry run.
import { spawnSync } from 'node:child_process';
import { runBuildScript } from '../cluster/build-script.js';

/** Builds the flux CLI of FLUX_CLI_VERSION (default v2.9.5) once (several minutes), then finds it in the cache. */
export function fluxCli(): string {
  return runBuildScript('build-flux-cli.sh').FLUX_CLI!;
}

/** Every `flux ...` command quoted in backticks in these lines. */
export function fluxCommands(lines: readonly string[]): string[] {
  const found = new Set<string>();
  for (const line of lines) for (const m of line.matchAll(/`(flux [^`]+)`/g)) found.add(m[1]!);
  return [...found];
}

export interface ParsedCommand {
  /** `['bootstrap', 'github']` */
  subcommand: string[];
  /** Each flag as written (`--path`, `-f`) with the value given to it, if any. */
  flags: { flag: string; value?: string }[];
}

/** A printed command as the shell would split it; `> file` and what follows is left out. */
export function parseCommand(command: string): ParsedCommand {
  const words = command.split(' > ')[0]!.trim().split(/\s+/).slice(1);
  const subcommand: string[] = [];
  const flags: ParsedCommand['flags'] = [];
  let i = 0;
  while (i < words.length && !words[i]!.startsWith('-')) subcommand.push(words[i++]!);
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('-')) {
      const last = flags[flags.length - 1];
      if (last && last.value === undefined) last.value = w;
      continue;
    }
    const eq = w.indexOf('=');
    flags.push(eq > 0 ? { flag: w.slice(0, eq), value: w.slice(eq + 1) } : { flag: w });
  }
  return { subcommand, flags };
}

export interface Run {
  status: number | null;
  output: string;
}

export function runFlux(cli: string, args: readonly string[], cwd?: string): Run {
  const out = spawnSync(cli, args, {
    encoding: 'utf8',
    ...(cwd ? { cwd } : {}),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd ?? process.env.HOME ?? '/tmp' },
  });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

/** Whether `--help` of the subcommand lists the flag (its own flags or the global ones). */
export function helpListsFlag(help: string, flag: string): boolean {
  if (flag.startsWith('--'))
    return new RegExp(`(^|\\s)${flag.replace(/[-]/g, '\\-')}(\\s|=|$)`, 'm').test(help);
  return new RegExp(`(^|\\s)${flag},\\s`, 'm').test(help);
}
