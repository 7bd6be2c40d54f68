// The Flux sources on loopback: one HTTP server on 127.0.0.1 that serves Git repositories over smart HTTP
// (`git http-backend` run as CGI, https://git-scm.com/docs/git-http-backend; go-git in source-controller
// does not speak the dumb protocol) under /git/, and Helm chart repositories as static files under /charts/.
// It accepts pushes (http.receivepack, which git http-backend refuses to anonymous users by default): the
// sandbox's user clones a repository, commits and pushes as to any Git server.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { GitRepository } from './git-repositories.js';
import { HelmChartRepository } from './helm-charts.js';

export interface SourcesInfo {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The directory everything is kept in: git/ (bare repositories), worktrees/, charts/. */
  root: string;
}

export interface RunningSources extends SourcesInfo {
  stop(): Promise<void>;
}

/** Handles to the repositories of a running sources server, from any process that can reach its root. */
export class Sources {
  constructor(readonly info: SourcesInfo) {}

  gitRepository(name: string): Promise<GitRepository> {
    return GitRepository.create(
      join(this.info.root, 'git'),
      join(this.info.root, 'worktrees'),
      name,
      `${this.info.url}/git`,
    );
  }

  helmRepository(name: string): HelmChartRepository {
    return new HelmChartRepository(join(this.info.root, 'charts', name), `${this.info.url}/charts/${name}`);
  }
}

function cgi(req: IncomingMessage, res: ServerResponse, gitRoot: string, pathInfo: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    GIT_PROJECT_ROOT: gitRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: pathInfo,
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    const endLf = head.indexOf('\n\n');
    const at = end >= 0 ? end : endLf;
    if (at < 0) return;
    const sepLength = end >= 0 ? 4 : 2;
    let status = 200;
    for (const line of head.subarray(0, at).toString().split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    headersDone = true;
    res.write(head.subarray(at + sepLength));
  });
  child.on('close', (code) => {
    if (!headersDone) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend exited with ${code}: ${stderr}`);
      return;
    }
    res.end();
  });
}

function staticFile(res: ServerResponse, root: string, path: string): void {
  const file = normalize(join(root, path));
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
    return;
  }
  const type = file.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip';
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(file).size });
  createReadStream(file).pipe(res);
}

/** Starts the sources server on a free 127.0.0.1 port, serving what is under `root`. */
export async function startSourcesServer(root: string): Promise<RunningSources> {
  const gitRoot = join(root, 'git');
  const chartsRoot = join(root, 'charts');
  for (const dir of [gitRoot, chartsRoot, join(root, 'worktrees')]) mkdirSync(dir, { recursive: true });
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (path.startsWith('/git/')) cgi(req, res, gitRoot, path.slice('/git'.length));
    else if (path.startsWith('/charts/')) staticFile(res, chartsRoot, path.slice('/charts/'.length));
    else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
