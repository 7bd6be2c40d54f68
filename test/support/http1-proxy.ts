// An HTTP/1.1-only reverse proxy in front of the test API server, as an L7 proxy or gateway would stand in front
// of a real one: it terminates TLS with the API server's own certificate (valid for 127.0.0.1, so clients
// trust it with the same CA), offers no HTTP/2, parses each request with Node's HTTP/1.1 parser (which, like
// every HTTP/1.1 stack, drops white space around header values) and sends it on to the API server over
// HTTP/1.1, where Go's parser does the same. A kubeconfig whose server is the proxy sends a client's
// impersonation headers through both.
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { cluster } from './env.js';

export interface Http1Proxy {
  /** https://127.0.0.1:PORT */
  url: string;
  /** Requests forwarded so far. */
  forwarded(): number;
  /** A copy of `kubeconfig` whose clusters point at the proxy. */
  kubeconfigVia(kubeconfig: string): string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
]);

export async function startHttp1Proxy(): Promise<Http1Proxy> {
  const c = cluster();
  const certs = join(c.dir, 'certs');
  const ca = readFileSync(c.caFile);
  const upstream = new URL(c.server);
  let forwarded = 0;
  const server: Server = createServer(
    { cert: readFileSync(join(certs, 'apiserver.crt')), key: readFileSync(join(certs, 'apiserver.key')) },
    (req, res) => {
      forwarded += 1;
      // rawHeaders keeps repeated fields (one Impersonate-Group each) as separate lines, in order; values are
      // as Node's parser left them, bytes as latin1 characters, which the request below writes back as bytes.
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push([name, req.rawHeaders[i + 1]!]);
      }
      headers.push(['Host', upstream.host]);
      const out = httpsRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          ca,
          headers: headers.flat(),
          setHost: false,
        },
        (answer) => {
          const back: string[] = [];
          for (let i = 0; i < answer.rawHeaders.length; i += 2)
            if (!HOP_BY_HOP.has(answer.rawHeaders[i]!.toLowerCase()))
              back.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
          res.writeHead(answer.statusCode ?? 502, back);
          answer.pipe(res);
        },
      );
      out.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`proxy: ${err.message}`);
      });
      req.pipe(out);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    forwarded: () => forwarded,
    kubeconfigVia(kubeconfig) {
      const text = readFileSync(kubeconfig, 'utf8').replaceAll(c.server, url);
      if (!text.includes(url)) throw new Error(`${kubeconfig} does not name the test API server ${c.server}`);
      const path = `${kubeconfig}.via-http1-proxy`;
      writeFileSync(path, text);
      return path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
