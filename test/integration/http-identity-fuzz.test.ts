// A fuzz of identity and group claims (issue 19): a few thousand values built from system: names, look-alikes,
// separators, long runs, and the characters HTTP drops, ends headers with or hides (white space of every
// Unicode class, C0 and C1 controls, zero-width and other invisible characters, unpaired surrogates), sent as
// OIDC claims to a server with --impersonate and no username prefix, straight and through an HTTP/1.1-only
// proxy in front of the API server. For every token the API server is asked whom it sees (SelfSubjectReview):
// never a system: identity; a value is either seen exactly as the claim had it, left out as a group Kubernetes
// keeps, or refused with 401. Groups go many to a token; a refused token is split until each refused value is
// alone. Values come from a seeded generator, so a failure can be replayed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi, TestObject } from '../support/api.js';
import { actingAs, mapConcurrently, type ActingAs } from '../support/acting-as.js';
import { adminApi, ROOT, testNamespace } from '../support/env.js';
import { startHttpServer, type HttpServer } from '../support/http.js';
import { startHttp1Proxy, type Http1Proxy } from '../support/http1-proxy.js';
import { AUDIENCE, startIssuer, type TestIssuer } from '../support/oidc-issuer.js';
import { clusterRoleUser, type TestUser } from '../support/users.js';

const SEED = Number(process.env.FLUX_OPS_MCP_FUZZ_SEED ?? 19);
const USERS = 1200;
const GROUPS = 3000;
const GROUPS_PER_TOKEN = 40;
/** Tokens stay under the 16 KiB of headers that Node.js servers (this one, the proxy) accept by default. */
const GROUP_BYTES_PER_TOKEN = 6000;
const CONCURRENCY = 6;

/** Characters HTTP may drop, end a header with, or not show. */
const DIRT = [
  ' ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\u0000', '\u0001', '\u001b', '\u007f', '\u0080', '\u0085',
  '\u009f', '\u00a0', '\u00ad', '\u034f', '\u115f', '\u1680', '\u180e', '\u2000', '\u2003', '\u2007',
  '\u200a', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2028', '\u2029', '\u202a', '\u202e',
  '\u202f', '\u205f', '\u2060', '\u2066', '\u3000', '\u3164', '\ufe0f', '\ufeff', '\uffa0', '\ud800',
  '\udfff', '\u{e0020}',
]; // prettier-ignore
const CORES = [
  'system:masters', 'system:kube-controller-manager', 'system:anonymous', 'system:nodes',
  'system:kube-scheduler', 'system:serviceaccount:kube-system:default', 'system:authenticated',
  'SYSTEM:masters', 'System:Nodes', '\uff53\uff59\uff53\uff54\uff45\uff4d:masters', 'system\uff1amasters',
  '\u0455ystem:masters', 's\u0443stem:masters', 'team-a', 'alice', 'dev@example.com', 'zo\u00eb',
  '\u6771\u4eac\u30c1\u30fc\u30e0', 'Jane Doe', 'cn=admins,ou=groups,dc=example,dc=com', 'oidc:team-b',
]; // prettier-ignore
const SEPARATORS = [
  ',',
  ';',
  ', ',
  '; ',
  ',system:masters',
  ';system:masters',
  ', system:masters',
  '|',
  '\\',
];

/** mulberry32: a small seeded generator, so that a run can be replayed with FLUX_OPS_MCP_FUZZ_SEED. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Value {
  text: string;
  /** Built without any DIRT: must never be refused for its characters. */
  clean: boolean;
}

function values(count: number, random: () => number): Value[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const dirt = (max: number) =>
    Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(DIRT)).join('');
  const anyChar = () => {
    const ranges = [
      [0x20, 0x7e],
      [0x00, 0x1f],
      [0x7f, 0xff],
      [0x100, 0x2fff],
      [0x3000, 0xd7ff],
      [0xe000, 0xffff],
      [0x10000, 0x10ffff],
    ] as const;
    const [lo, hi] = pick(ranges);
    return String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
  };
  const out: Value[] = [];
  while (out.length < count) {
    const core = pick(CORES);
    switch (Math.floor(random() * 7)) {
      case 0:
        out.push({ text: core, clean: true });
        break;
      case 1: {
        const before = dirt(3);
        const after = dirt(3);
        out.push({ text: before + core + after, clean: before === '' && after === '' });
        break;
      }
      case 2:
        out.push({ text: core + pick(SEPARATORS) + pick(CORES), clean: true });
        break;
      case 3: {
        const at = 1 + Math.floor(random() * (core.length - 1));
        out.push({ text: core.slice(0, at) + pick(DIRT) + core.slice(at), clean: false });
        break;
      }
      case 4: {
        const bytes = 900 + Math.floor(random() * 300);
        out.push({ text: core.repeat(Math.ceil(bytes / core.length)).slice(0, bytes), clean: false });
        break;
      }
      case 5:
        out.push({
          text: Array.from({ length: 1 + Math.floor(random() * 12) }, anyChar).join(''),
          clean: false,
        });
        break;
      default:
        out.push({ text: dirt(2) + pick(SEPARATORS).trim() + core, clean: false });
    }
  }
  return out;
}

/**
 * The test's own reading of a name Kubernetes keeps: system: once folded, with what shows nothing (marks,
 * spaces, ignorable characters such as the Hangul filler, a letter that is invisible) dropped.
 */
function readsAsSystem(name: string): boolean {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{Default_Ignorable_Code_Point}|[^\p{L}\p{N}:]/gu, '')
    .startsWith('system:');
}

function noSystemIdentity(seen: Extract<ActingAs, { status: 200 }>): void {
  expect(seen.user.toLowerCase().startsWith('system:'), seen.user).toBe(false);
  expect(seen.groups.filter((g) => g.toLowerCase().startsWith('system:'))).toEqual(['system:authenticated']);
}

let api: TestApi;
let issuer: TestIssuer;
let proxy: Http1Proxy;
let impersonator: TestUser;
let direct: HttpServer;
let proxied: HttpServer;
const random = generator(SEED);
const userValues = values(USERS, random);
const groupValues = values(GROUPS, random);

beforeAll(async () => {
  api = adminApi();
  const ns = await testNamespace(api, 'fuzz');
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/optional/impersonation.yaml'), 'utf8'));
  for (const obj of docs.map((d) => d.toJS() as TestObject).filter((o) => o.kind === 'ClusterRole'))
    await api.apply(obj);
  impersonator = await clusterRoleUser(api, ns, 'impersonator', 'flux-ops-mcp-impersonator');
  issuer = await startIssuer();
  proxy = await startHttp1Proxy();
  const jwks = issuer.writeJwksFile(mkdtempSync(join(tmpdir(), 'flux-ops-mcp-fuzz-')));
  const args = [
    '--impersonate',
    '--stateless',
    '--rate-limit',
    'off',
    '--oidc-issuer',
    issuer.issuer,
    '--oidc-audience',
    AUDIENCE,
    '--oidc-jwks-file',
    jwks,
    '--oidc-username-prefix',
    '-',
  ];
  direct = await startHttpServer(args, { kubeconfig: impersonator.kubeconfig });
  proxied = await startHttpServer(args, { kubeconfig: proxy.kubeconfigVia(impersonator.kubeconfig) });
});

afterAll(async () => {
  await direct?.stop();
  await proxied?.stop();
  await proxy?.close();
  await issuer?.close();
  await impersonator?.cleanup();
  await api?.close();
});

describe.each([
  ['HTTP/2 straight to the API server', () => direct],
  ['an HTTP/1.1-only proxy in front of the API server', () => proxied],
])('claims fuzz, through %s', (_path, server) => {
  it(`sees each of ${USERS} user claims exactly as it is, or refuses it; never a system: user`, async () => {
    const outcomes = await mapConcurrently(userValues, CONCURRENCY, async (value) => {
      const seen = await actingAs(server().url, await issuer.sign({ sub: value.text }));
      if (seen.status === 401) {
        expect(readsAsSystem(value.text) || !value.clean, `refused ${JSON.stringify(value.text)}`).toBe(true);
        return 'refused';
      }
      expect(seen.status, JSON.stringify({ value: value.text, seen })).toBe(200);
      const ok = seen as Extract<ActingAs, { status: 200 }>;
      noSystemIdentity(ok);
      expect(ok.user).toBe(value.text);
      expect(ok.groups).toEqual(['system:authenticated']);
      return 'exact';
    });
    const exact = outcomes.filter((o) => o === 'exact').length;
    const refused = outcomes.length - exact;
    console.info(`${_path}: ${USERS} user claims: ${exact} seen exactly, ${refused} refused`);
    expect(exact).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it(`sees each of ${GROUPS} group claims exactly as it is, leaves out those Kubernetes keeps, or refuses it`, async () => {
    let tokens = 0;
    const outcome = new Map<string, 'exact' | 'left out' | 'refused'>();
    /** Sends the groups in one token; a refused token is split until each refused value stands alone. */
    const check = async (groups: Value[]): Promise<void> => {
      tokens += 1;
      const seen = await actingAs(
        server().url,
        await issuer.sign({ sub: 'fuzz', groups: groups.map((g) => g.text) }),
      );
      if (seen.status === 401) {
        if (groups.length === 1) {
          const [g] = groups;
          expect(readsAsSystem(g!.text) || !g!.clean, `refused ${JSON.stringify(g!.text)}`).toBe(true);
          outcome.set(g!.text, 'refused');
          return;
        }
        const half = Math.ceil(groups.length / 2);
        await check(groups.slice(0, half));
        await check(groups.slice(half));
        return;
      }
      expect(seen.status, JSON.stringify({ groups: groups.map((g) => g.text), seen })).toBe(200);
      const ok = seen as Extract<ActingAs, { status: 200 }>;
      noSystemIdentity(ok);
      expect(ok.user).toBe('fuzz');
      const sent = new Set(groups.map((g) => g.text));
      const got = ok.groups.filter((g) => g !== 'system:authenticated');
      for (const g of got)
        expect(sent.has(g), `the API server saw ${JSON.stringify(g)}, never sent`).toBe(true);
      for (const g of sent) {
        if (got.includes(g)) outcome.set(g, 'exact');
        else {
          expect(readsAsSystem(g), `${JSON.stringify(g)} was left out`).toBe(true);
          outcome.set(g, 'left out');
        }
      }
    };
    // Values built without dirt go many to a token (nearly all are taken, and one token asks for them all);
    // the others, mostly refused, one to a token (a refusal costs no request to the API server).
    const batches: Value[][] = groupValues.filter((g) => !g.clean).map((g) => [g]);
    let batch: Value[] = [];
    let bytes = 0;
    for (const g of groupValues.filter((v) => v.clean)) {
      const size = Buffer.byteLength(JSON.stringify(g.text));
      if (batch.length >= GROUPS_PER_TOKEN || bytes + size > GROUP_BYTES_PER_TOKEN) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(g);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
    await mapConcurrently(batches, CONCURRENCY, check);
    const counts = { exact: 0, 'left out': 0, refused: 0 };
    for (const o of outcome.values()) counts[o] += 1;
    console.info(
      `${_path}: ${GROUPS} group claims (${outcome.size} distinct) in ${tokens} tokens: ${counts.exact} seen exactly, ${counts['left out']} left out, ${counts.refused} refused`,
    );
    expect(outcome.size).toBe(new Set(groupValues.map((g) => g.text)).size);
    expect(counts.exact).toBeGreaterThan(0);
    expect(counts['left out']).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
  });
});
