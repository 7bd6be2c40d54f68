// Git repositories the tests commit to: a bare repository under the sources server's git root (what
// source-controller clones over smart HTTP) and a working tree beside it that commits and pushes to it
// through the file system.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** git with no user or system configuration, so the machine's settings cannot change what a test does. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'flux-ops-mcp tests',
      GIT_AUTHOR_EMAIL: 'tests@flux-ops-mcp.invalid',
      GIT_COMMITTER_NAME: 'flux-ops-mcp tests',
      GIT_COMMITTER_EMAIL: 'tests@flux-ops-mcp.invalid',
    },
  });
  return stdout.trim();
}

/** File path -> content; null deletes the file. */
export type FileChanges = Record<string, string | null>;

export class GitRepository {
  private constructor(
    readonly name: string,
    /** The clone URL on the sources server. */
    readonly url: string,
    private readonly bare: string,
    private readonly work: string,
  ) {}

  /** Creates an empty repository with branch main. `gitRoot` is the directory the sources server serves. */
  static async create(
    gitRoot: string,
    worktrees: string,
    name: string,
    baseUrl: string,
  ): Promise<GitRepository> {
    const bare = join(gitRoot, `${name}.git`);
    const work = join(worktrees, name);
    rmSync(bare, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    mkdirSync(bare, { recursive: true });
    mkdirSync(work, { recursive: true });
    await git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
    await git(work, 'init', '--quiet', '--initial-branch=main');
    return new GitRepository(name, `${baseUrl}/${name}.git`, bare, work);
  }

  /** Writes the changes, commits them on main, pushes, and returns the commit's full SHA-1. */
  async commit(changes: FileChanges, message: string): Promise<string> {
    for (const [path, content] of Object.entries(changes)) {
      const file = join(this.work, path);
      if (content === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    await git(this.work, 'add', '--all');
    await git(this.work, 'commit', '--quiet', '--allow-empty', '-m', message);
    await git(this.work, 'push', '--quiet', this.bare, 'main');
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /** The revision as source-controller writes it in status.artifact.revision. */
  static revision(sha: string): string {
    return `main@sha1:${sha}`;
  }
}
