// Credentials from the kubeconfig user (src/kube/client.ts): what a request says when they cannot be had,
// before anything is sent to the cluster (the address below has no server).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';

const SERVER = 'https://127.0.0.1:9';

function clientWith(exec: { command: string; args: string[] }, pluginTimeoutMs?: number): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: SERVER, skipTLSVerify: true }],
    users: [{ name: 'u', exec: { apiVersion: 'client.authentication.k8s.io/v1', ...exec } }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return new KubeClient('c', SERVER, kc, undefined, false, pluginTimeoutMs);
}

describe('a kubeconfig credential plugin', () => {
  it('that gives nothing in time is given up on, with what to do', async () => {
    const client = clientWith({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 5000)'] }, 200);
    await expect(client.request('GET', '/api')).rejects.toThrow(
      "the kubeconfig's credential plugin " +
        `${process.execPath} gave no credentials within 0.2s for context c; a plugin that waits for an interactive login cannot log in here: log in in a terminal first`,
    );
  });

  it('runs once for requests made at the same time, which all fail as it failed', async () => {
    const runs = join(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-plugin-')), 'runs');
    writeFileSync(runs, '');
    const script = `require('node:fs').appendFileSync(${JSON.stringify(runs)}, 'ran\\n'); process.stderr.write('expired'); process.exit(1)`;
    const client = clientWith({ command: process.execPath, args: ['-e', script] });
    const results = await Promise.allSettled([1, 2, 3].map(() => client.request('GET', '/api')));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect(String((r as PromiseRejectedResult).reason)).toContain(
        `credential plugin ${process.execPath} failed for context c: expired`,
      );
    }
    expect(readFileSync(runs, 'utf8')).toBe('ran\n');
  });
});
