// A reverse proxy in front of the test API server that lets a test change an object at the worst moment:
// after a client read it and before that client's write arrives. Each write the test picks is held, the
// test's own change is made directly on the API server, and only then is the write passed on, so a write
// that carries the resourceVersion it read fails with 409 Conflict every time, as it would against a
// controller writing a busy object. The server under test reaches the API server through it (a kubeconfig
// with the proxy's plain-HTTP address and the admin token).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RacingProxy {
  /** A kubeconfig (context `admin`) that reaches the API server through the proxy. */
  kubeconfig: string;
  /** Requests that were held for a change, as `METHOD path`. */
  raced: string[];
  /** From now on, run `change` before passing on each request `pick` selects, at most `times` times. */
  race(pick: (req: IncomingMessage) => boolean, times: number, change: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function startRacingProxy(upstream: {
  server: string;
  caFile: string;
  adminToken: string;
}): Promise<RacingProxy> {
  const target = new URL(upstream.server);
  const ca = readFileSync(upstream.caFile);
  let armed:
    { pick: (req: IncomingMessage) => boolean; left: number; change: () => Promise<void> } | undefined;
  const raced: string[] = [];

  const server: Server = createServer((req, res) => {
    const forward = () => {
      const out = httpsRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          ca,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    if (armed && armed.left > 0 && armed.pick(req)) {
      armed.left -= 1;
      raced.push(`${req.method} ${req.url}`);
      req.pause();
      armed.change().then(forward, () => res.destroy());
      return;
    }
    forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(tmpdir(), `flux-ops-mcp-racing-${port}.json`);
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node takes a plain-HTTP server only with TLS verification off (there is no TLS to verify).
      clusters: [
        { name: 'racing', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'admin', user: { token: upstream.adminToken } }],
      contexts: [{ name: 'admin', context: { cluster: 'racing', user: 'admin' } }],
      'current-context': 'admin',
    }),
  );
  return {
    kubeconfig,
    raced,
    race(pick, times, change) {
      armed = { pick, left: times, change };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
