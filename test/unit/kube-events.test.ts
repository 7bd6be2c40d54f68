import { describe, expect, it } from 'vitest';
import { subjectsPhrase } from '../../src/format/events.js';
import { toEventRecord, type EventSubject } from '../../src/kube/events.js';

describe('toEventRecord', () => {
  it('leaves the namespace empty for a cluster-scoped object, whose events live in default', () => {
    const record = toEventRecord({
      metadata: { namespace: 'default' },
      involvedObject: { kind: 'Node', name: 'node-1' },
      type: 'Warning',
      reason: 'NodeNotReady',
      message: 'Node node-1 status is now: NodeNotReady',
    });
    expect(record.object).toEqual({ kind: 'Node', namespace: '', name: 'node-1' });
  });
});

describe('subjectsPhrase', () => {
  const pod = (name: string): EventSubject => ({ role: 'pod', kind: 'Pod', namespace: 'apps', name });

  it('names the object and counts what came with it, by kind', () => {
    const subjects: EventSubject[] = [
      { role: 'object', kind: 'Deployment', namespace: 'apps', name: 'web' },
      { role: 'replica set', kind: 'ReplicaSet', namespace: 'apps', name: 'web-1' },
      pod('web-1-a'),
      pod('web-1-b'),
    ];
    expect(subjectsPhrase(subjects, {})).toBe('Deployment apps/web and its 1 ReplicaSet, 2 Pods');
  });

  it('says the newest when the related objects were cut', () => {
    const pods = Array.from({ length: 10 }, (_, i) => pod(`web-${i}`));
    const subjects: EventSubject[] = [
      { role: 'object', kind: 'StatefulSet', namespace: 'apps', name: 'web' },
      ...pods,
    ];
    expect(subjectsPhrase(subjects, {})).toBe('StatefulSet apps/web and its 10 newest Pods');
  });

  it('says what a scan without a name read', () => {
    expect(subjectsPhrase([], { kind: 'Pod', namespace: 'apps' })).toBe('Pod objects in namespace apps');
    expect(subjectsPhrase([], { name: 'web' })).toBe('all objects named web in all namespaces');
  });
});
