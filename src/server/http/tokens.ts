// Bearer tokens from a file, one "name:token" or "name:token:group1,group2" per line. Tokens are kept only
// as SHA-256 digests and compared in constant time; the file is re-read when it changes (a Secret volume swaps a symlink, which
// polling the path sees) and on SIGHUP, keeping the previous tokens when the new file is not valid.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/;
/** Kubernetes group names as RBAC subjects take them; ":" is common (oidc:team-a), "," separates them here. */
const GROUP = /^[A-Za-z0-9][A-Za-z0-9._@+:/-]*$/;
export const MIN_TOKEN_LENGTH = 16;
const POLL_MS = 1000;

interface Entry {
  name: string;
  /** Kubernetes groups of the caller, for --impersonate. */
  groups: string[];
  digest: Buffer;
}

/** Who a token belongs to. */
export interface TokenOwner {
  name: string;
  groups: string[];
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Parses a token file; throws with the line number of the first problem. */
export function parseTokenFile(text: string, path: string): Entry[] {
  const entries: Entry[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${path} line ${i + 1}`;
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`${where}: expected "name:token" or "name:token:group1,group2"`);
    const name = line.slice(0, colon).trim();
    // The token ends at the next colon: what follows is the caller's groups, which may hold colons.
    const rest = line.slice(colon + 1);
    const second = rest.indexOf(':');
    const token = (second < 0 ? rest : rest.slice(0, second)).trim();
    const groups =
      second < 0
        ? []
        : rest
            .slice(second + 1)
            .split(',')
            .map((g) => g.trim());
    if (!NAME.test(name))
      throw new Error(`${where}: "${name}" is not a valid name (letters, digits, . _ @ + -)`);
    if (token.length < MIN_TOKEN_LENGTH)
      throw new Error(`${where}: the token of ${name} is shorter than ${MIN_TOKEN_LENGTH} characters`);
    if (/\s/.test(token)) throw new Error(`${where}: the token of ${name} contains white space`);
    const badGroup = groups.find((g) => !GROUP.test(g));
    if (badGroup !== undefined)
      throw new Error(
        `${where}: "${badGroup}" is not a valid group of ${name} (letters, digits, . _ @ + : / -, separated by commas)`,
      );
    const d = digest(token);
    const key = d.toString('hex');
    if (seen.has(key)) throw new Error(`${where}: the token of ${name} is used twice in the file`);
    seen.add(key);
    entries.push({ name, groups: [...new Set(groups)], digest: d });
  });
  return entries;
}

export class TokenFile {
  private entries: Entry[];
  private nameSet?: ReadonlySet<string>;

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {
    this.entries = this.read();
    if (this.entries.length === 0)
      log.warn({ path }, 'the token file holds no tokens: every request will get 401');
  }

  private read(): Entry[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      throw new Error(
        `cannot read --auth-tokens ${this.path}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    return parseTokenFile(text, this.path);
  }

  /** Re-reads the file; on error keeps the tokens it had. */
  reload(why: string): void {
    try {
      this.entries = this.read();
      this.nameSet = undefined;
      this.log.info({ path: this.path, tokens: this.entries.length, why }, 'reloaded bearer tokens');
    } catch (err) {
      this.log.error({ path: this.path, why, err: String(err) }, 'kept the previous bearer tokens');
    }
  }

  watch(): void {
    watchFile(this.path, { interval: POLL_MS, persistent: false }, (cur, prev) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size)
        this.reload('file changed');
    });
  }

  close(): void {
    unwatchFile(this.path);
  }

  /** The owner of the token, or undefined. Every entry is compared, so timing tells nothing. */
  verify(token: string): TokenOwner | undefined {
    const d = digest(token);
    let found: Entry | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(d, e.digest) && found === undefined) found = e;
    }
    return found ? { name: found.name, groups: found.groups } : undefined;
  }

  /** The callers' names the file holds now. */
  names(): ReadonlySet<string> {
    return (this.nameSet ??= new Set(this.entries.map((e) => e.name)));
  }

  /** Every name and group the file holds now (the callers an --impersonate start check can know of). */
  owners(): TokenOwner[] {
    return this.entries.map((e) => ({ name: e.name, groups: e.groups }));
  }
}
