// A person confirms destructive changes where the client can ask (MCP elicitation): rollback_flux_helmrelease
// without dry_run asks with the dry run's plan in one paragraph, acts only on accept, and changes nothing on
// decline or cancel. A client that cannot ask keeps today's behaviour, unless the server runs with
// --confirm-destructive always: then the rollback is refused until the call says confirm: true. (The storage
// migration's question is in flux-upgrade.test.ts, on the cluster with objects to migrate.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { TestApi, TestObject } from '../support/api.js';
import { adminApi, callTool, startServer, testNamespace, type ServerHandle } from '../support/env.js';
import { connect, startHttpServer, type HttpServer } from '../support/http.js';
import { helmRelease, readyStatus, V } from '../support/flux.js';
import { helmStorageSecret, historySnapshot } from '../support/helm.js';

let api: TestApi;
let ns: string;
const servers: ServerHandle[] = [];

const manifest = (name: string, value: string) =>
  `---\n# Source: demo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-settings\ndata:\n  value: "${value}"\n`;

/** A HelmRelease `name` with Helm revisions 1 (superseded) and 2 (deployed), observed by helm-controller. */
async function release(name: string): Promise<void> {
  const records = [
    { name, namespace: ns, revision: 1, status: 'superseded', manifest: manifest(name, 'one') },
    { name, namespace: ns, revision: 2, status: 'deployed', manifest: manifest(name, 'two') },
  ];
  for (const r of records) await api.apply(helmStorageSecret(ns, r));
  const hr = await api.apply(helmRelease(name, ns));
  await api.patchStatus(
    hr,
    readyStatus(1, { storageNamespace: ns, history: [historySnapshot(records[1]!)] }),
  );
}

/** The Helm revisions stored for `name`. */
async function revisions(name: string): Promise<string[]> {
  return (await api.list('v1', 'Secret', ns))
    .filter((s) => s.metadata.labels?.owner === 'helm' && s.metadata.labels.name === name)
    .map((s) => s.metadata.labels!.version!)
    .sort();
}

const suspended = async (name: string) =>
  (await api.get<TestObject>(V.helmRelease, 'HelmRelease', ns, name)).spec?.suspend === true;

/** A person who answers every question with `action`, and remembers the questions. */
function person(action: ElicitResult['action']) {
  const questions: ElicitRequest['params'][] = [];
  return {
    questions,
    answer: (q: ElicitRequest['params']): ElicitResult => {
      questions.push(q);
      return { action };
    },
  };
}

async function start(args: string[], onElicit?: ReturnType<typeof person>['answer']): Promise<ServerHandle> {
  const server = await startServer(args, onElicit ? { onElicit } : {});
  servers.push(server);
  return server;
}

beforeAll(async () => {
  api = adminApi();
  ns = await testNamespace(api, 'confirm');
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await api?.close();
});

describe('rollback_flux_helmrelease with a client that can ask the person', () => {
  it('asks with the plan in one paragraph, and rolls back when the person accepts', async () => {
    await release('accepted');
    const asked = person('accept');
    const server = await start([], asked.answer);
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'accepted',
      namespace: ns,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(asked.questions).toHaveLength(1);
    expect(asked.questions[0]!.message).toBe(
      `Roll back Helm release accepted (HelmRelease ${ns}/accepted) in context admin from v2 to v1, written as v3: suspend the HelmRelease, then objects: 1 would be created. It stays suspended until someone resumes it.`,
    );
    expect(asked.questions[0]!.message).not.toContain('\n');
    expect(call.text).toMatch(/^Rolled back Helm release accepted/);
    expect(await revisions('accepted')).toEqual(['1', '2', '3']);
    expect(await suspended('accepted')).toBe(true);
  });

  it('changes nothing when the person declines, and says so', async () => {
    await release('declined');
    const asked = person('decline');
    const server = await start([], asked.answer);
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'declined',
      namespace: ns,
    });
    expect(call.result.isError).toBe(true);
    expect(call.text).toMatch(
      /^The person declined; nothing was changed\. The plan was: Roll back Helm release declined/,
    );
    expect(await revisions('declined')).toEqual(['1', '2']);
    expect(await suspended('declined')).toBe(false);
  });

  it('changes nothing when the person cancels, and says so', async () => {
    await release('cancelled');
    const server = await start([], person('cancel').answer);
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'cancelled',
      namespace: ns,
    });
    expect(call.result.isError).toBe(true);
    expect(call.text).toMatch(/^The person cancelled \(or did not answer\); nothing was changed\./);
    expect(await revisions('cancelled')).toEqual(['1', '2']);
    expect(await suspended('cancelled')).toBe(false);
  });

  it('does not ask for a dry run', async () => {
    await release('planned');
    const asked = person('decline');
    const server = await start([], asked.answer);
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'planned',
      namespace: ns,
      dry_run: true,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(asked.questions).toEqual([]);
    expect(call.text).toMatch(/^Dry run: rolling back/);
  });
});

describe('rollback_flux_helmrelease over HTTP', () => {
  let http: HttpServer | undefined;
  afterAll(async () => http?.stop());

  it("asks on the call's own response stream in a session, and changes nothing on decline", async () => {
    await release('overhttp');
    http = await startHttpServer(['--allowed-contexts', 'admin']);
    const asked = person('decline');
    const { client } = await connect(http.url, { onElicit: asked.answer });
    try {
      const call = await callTool(client, 'rollback_flux_helmrelease', { name: 'overhttp', namespace: ns });
      expect(call.result.isError).toBe(true);
      expect(call.text).toMatch(/^The person declined; nothing was changed\./);
      expect(asked.questions).toHaveLength(1);
    } finally {
      await client.close();
    }
    expect(await revisions('overhttp')).toEqual(['1', '2']);
  });

  it('does not ask in stateless mode, where the answer would reach no one: the call goes ahead as asked', async () => {
    await release('stateless');
    const stateless = await startHttpServer(['--allowed-contexts', 'admin', '--stateless']);
    const asked = person('decline');
    const { client } = await connect(stateless.url, { onElicit: asked.answer });
    try {
      const call = await callTool(client, 'rollback_flux_helmrelease', { name: 'stateless', namespace: ns });
      expect(call.result.isError, call.text).toBeFalsy();
      expect(asked.questions).toEqual([]);
    } finally {
      await client.close();
      await stateless.stop();
    }
    expect(await revisions('stateless')).toEqual(['1', '2', '3']);
  });
});

describe('rollback_flux_helmrelease with a client that cannot ask', () => {
  it('rolls back as asked, as before', async () => {
    await release('unasked');
    const server = await start([]);
    const call = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'unasked',
      namespace: ns,
    });
    expect(call.result.isError, call.text).toBeFalsy();
    expect(await revisions('unasked')).toEqual(['1', '2', '3']);
  });

  it('under --confirm-destructive always, refuses until the call says confirm: true', async () => {
    await release('strict');
    const server = await start(['--confirm-destructive', 'always']);
    const refused = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'strict',
      namespace: ns,
    });
    expect(refused.result.isError).toBe(true);
    expect(refused.text).toBe(
      'Not done: this server asks a person to confirm destructive changes, and this client cannot ask. Run rollback_flux_helmrelease with dry_run: true, show the person its plan, and if they agree run it again with confirm: true. Nothing was changed.',
    );
    expect(await revisions('strict')).toEqual(['1', '2']);
    expect(await suspended('strict')).toBe(false);

    const confirmed = await callTool(server.client, 'rollback_flux_helmrelease', {
      name: 'strict',
      namespace: ns,
      confirm: true,
    });
    expect(confirmed.result.isError, confirmed.text).toBeFalsy();
    expect(await revisions('strict')).toEqual(['1', '2', '3']);
  });
});

describe('tool annotations', () => {
  it('every tool that writes states readOnlyHint false and destructiveHint, true or false', async () => {
    const server = await start([]);
    const { tools } = await server.client.listTools();
    const writes = tools.filter((t) => t.annotations?.readOnlyHint !== true);
    expect(writes.length).toBeGreaterThan(5);
    for (const t of writes) {
      expect(t.annotations?.readOnlyHint, t.name).toBe(false);
      expect(typeof t.annotations?.destructiveHint, t.name).toBe('boolean');
    }
    const destructive = tools.filter((t) => t.annotations?.destructiveHint === true).map((t) => t.name);
    expect(destructive.sort()).toEqual(['migrate_flux_storage', 'rollback_flux_helmrelease']);
  });
});
