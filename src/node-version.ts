// Which Node.js versions can run the server. Checked by src/bin.ts before the server is loaded: an older
// Node starts it, then fails on every cluster call inside the Kubernetes client. This module must stay
// parseable by old Node releases: no imports, no syntax newer than ES2020.

export type Version = [major: number, minor: number, patch: number];

/** `22.19.0`, `v22.19` or `22` as numbers; undefined when it is not a version. */
export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/** The lowest version an `engines.node` range of the form `>=MAJOR[.MINOR[.PATCH]]` accepts. */
export function minimumOf(range: string): Version | undefined {
  const m = /^>=\s*(\S+)$/.exec(range.trim());
  return m ? parseVersion(m[1]!) : undefined;
}

function older(a: Version, b: Version): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * Why Node.js `current` cannot run a package whose `engines.node` is `range`; undefined when it can, and
 * when either cannot be read (the check must never be what stops a good Node).
 */
export function nodeVersionProblem(current: string, range: string, execPath?: string): string | undefined {
  const have = parseVersion(current);
  const need = minimumOf(range);
  if (!have || !need || !older(have, need)) return undefined;
  const wanted = need[2] === 0 ? `${need[0]}.${need[1]}` : need.join('.');
  return (
    `flux-ops-mcp needs Node.js ${wanted} or newer; this is Node.js ${current}` +
    `${execPath ? ` (${execPath})` : ''}. Install a newer Node.js, or point your MCP client's command at one.`
  );
}
