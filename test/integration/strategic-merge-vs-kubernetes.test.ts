// The three-way strategic merge of src/kube/merge.ts against Kubernetes' own (k8s.io/apimachinery
// strategicpatch, the code client-go and the API server run), on a few thousand random Deployments: keyed
// lists (containers, env, ports, volumes with retainKeys), primitive merge lists (finalizers), replaced lists
// (args), retainKeys maps (strategy), labels. The patch metadata comes from the test cluster's OpenAPI, as
// in the server.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deepEqual,
  threeWayMerge,
  type Json,
  type JsonObject,
  type PatchSchema,
} from '../../src/kube/merge.js';
import { OpenApi } from '../../src/kube/openapi.js';
import type { KubeClient } from '../../src/kube/client.js';
import { adminApi } from '../support/env.js';
import { helmClis } from '../support/helm-cli.js';

const BUILD_TIMEOUT_MS = 30 * 60_000;
const CASES = 3000;

let schema: PatchSchema;
let oracle: string;

/** A small deterministic generator (a linear congruential one), so a failure can be replayed. */
function generator(seed: number) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const subset = <T>(xs: readonly T[]): T[] => {
    const chosen = xs.filter(() => next() < 0.5);
    for (let i = chosen.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [chosen[i], chosen[j]] = [chosen[j]!, chosen[i]!];
    }
    return chosen;
  };
  const container = (name: string): JsonObject => {
    const c: JsonObject = { name, image: pick(['a:1', 'a:2']) };
    const env = subset(['A', 'B', 'C', 'D', 'E']).map((n) => ({ name: n, value: pick(['1', '2']) }));
    if (env.length > 0 || next() < 0.2) c.env = env;
    const ports = subset([80, 81, 82]).map((p) => ({
      containerPort: p,
      ...(next() < 0.5 ? { name: `p${p}` } : {}),
    }));
    if (ports.length > 0) c.ports = ports;
    const args = subset(['x', 'y', 'z']);
    if (args.length > 0) c.args = args;
    return c;
  };
  return (): JsonObject => {
    const metadata: JsonObject = { name: 'd' };
    const labels = Object.fromEntries(subset(['a', 'b', 'c']).map((k) => [k, pick(['1', '2'])]));
    if (Object.keys(labels).length > 0) metadata.labels = labels;
    const finalizers = subset(['f1', 'f2', 'f3']);
    if (finalizers.length > 0) metadata.finalizers = finalizers;
    const spec: JsonObject = {};
    if (next() < 0.7) spec.replicas = pick([1, 2, 3]);
    if (next() < 0.7)
      spec.strategy = pick<Json>([
        { type: 'Recreate' },
        { type: 'RollingUpdate', rollingUpdate: { maxSurge: pick([1, 2]) } },
        { type: 'RollingUpdate' },
      ]);
    const podSpec: JsonObject = { containers: subset(['app', 'side', 'init']).map(container) };
    const volumes = subset(['v1', 'v2', 'v3']).map((n) =>
      pick<Json>([
        { name: n, configMap: { name: 'x' } },
        { name: n, secret: { secretName: 'y' } },
        { name: n, emptyDir: {} },
      ]),
    );
    if (volumes.length > 0) podSpec.volumes = volumes;
    spec.template = { metadata: { labels: { app: 'd' } }, spec: podSpec };
    return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec };
  };
}

/**
 * An element the server appends keeps the patch's directives and nulls until the typed decoding drops them
 * (a directive-laden element is a Kubernetes quirk of elements added where the live list lacks them).
 */
function withoutDirectives(v: Json): Json {
  if (Array.isArray(v))
    return v
      .filter((x) => !(x && typeof x === 'object' && !Array.isArray(x) && '$patch' in x))
      .map(withoutDirectives);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => !k.startsWith('$') && x !== null)
        .map(([k, x]) => [k, withoutDirectives(x)]),
    );
  return v;
}

beforeAll(async () => {
  oracle = helmClis().strategicMergeOracle;
  const api = adminApi();
  const doc = await api.request<unknown>('GET', '/openapi/v3/apis/apps/v1');
  const client = { request: async () => doc } as unknown as KubeClient;
  schema = await new OpenApi(client).patchSchema('apps', 'v1', 'Deployment');
}, BUILD_TIMEOUT_MS);

describe('the three-way strategic merge', () => {
  it(`gives the object Kubernetes gives, on ${CASES} random Deployments`, () => {
    const next = generator(20261126);
    const cases = Array.from({ length: CASES }, () => ({ o: next(), m: next(), c: next() }));
    const out = spawnSync(oracle, { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(out.status, out.stderr).toBe(0);
    const results = JSON.parse(out.stdout) as Json[];
    const mismatches: unknown[] = [];
    cases.forEach((c, i) => {
      const expected = results[i]!;
      if (expected && typeof expected === 'object' && 'error' in expected) {
        mismatches.push({ case: c, error: expected });
        return;
      }
      const actual = threeWayMerge(c.o, c.m, c.c, schema);
      if (!deepEqual(actual, withoutDirectives(expected))) mismatches.push({ case: c, expected, actual });
    });
    expect(mismatches.slice(0, 2)).toEqual([]);
  });
});
