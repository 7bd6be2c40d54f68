// The cached build scripts of test/cluster (build-binaries.sh, build-controllers.sh, build-helm.sh) print
// what they built as NAME=value lines; the rest of their output goes to stderr.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs test/cluster/<script> (it builds only what its cache lacks) and returns its NAME=value lines. */
export function runBuildScript(script: string, args: string[] = []): Record<string, string> {
  const out = spawnSync(join(HERE, script), args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (out.status !== 0) throw new Error(`test/cluster/${script} ${args.join(' ')} failed with ${out.status}`);
  return Object.fromEntries(
    out.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
