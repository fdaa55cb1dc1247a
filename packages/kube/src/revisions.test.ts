import { describe, expect, it } from 'vitest';
import {
  comparePreconditions,
  describeImageChange,
  isControlledBy,
  orderByRevision,
  pickRollbackTarget,
  revisionOf,
  rollbackAnnotations,
  stripTemplateHash,
  templatesEqualIgnoringHash,
} from './revisions.js';

function aReplicaSet(name: string, revision: string | undefined, image = `web:${name}`, hash = `h-${name}`) {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      annotations: revision === undefined ? {} : { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [{ uid: 'dep-uid', controller: true, kind: 'Deployment', name: 'web' }],
    },
    spec: {
      template: {
        metadata: { labels: { app: 'web', 'pod-template-hash': hash } },
        spec: { containers: [{ name: 'web', image }] },
      },
    },
  };
}

describe('revision ordering', () => {
  it('orders by the numeric revision, not as text, newest first, skipping unparsable ones', () => {
    const sets = [
      aReplicaSet('a', '9'),
      aReplicaSet('b', '10'),
      aReplicaSet('c', 'x'),
      aReplicaSet('d', undefined),
      aReplicaSet('e', '2'),
    ];
    expect(orderByRevision(sets).map((s) => s.revision)).toEqual([10, 9, 2]);
  });

  it.each([
    {
      name: 'three revisions → the second newest',
      sets: ['1', '2', '3'],
      toRevision: undefined,
      expected: 'r2',
    },
    {
      name: 'revisions out of order in the list → still the second newest',
      sets: ['3', '1', '2'],
      toRevision: undefined,
      expected: 'r2',
    },
    {
      name: 'revision 10 newest, 9 before it → 9 (numeric order)',
      sets: ['9', '10', '2'],
      toRevision: undefined,
      expected: 'r9',
    },
    { name: 'an explicit revision → that one', sets: ['1', '2', '3'], toRevision: 1, expected: 'r1' },
    {
      name: 'an explicit revision that does not exist → none',
      sets: ['1', '2'],
      toRevision: 7,
      expected: undefined,
    },
    { name: 'only one revision → no history', sets: ['1'], toRevision: undefined, expected: undefined },
    { name: 'no ReplicaSets → no history', sets: [], toRevision: undefined, expected: undefined },
  ])('$name', ({ sets, toRevision, expected }) => {
    const replicaSets = sets.map((revision) => aReplicaSet(`r${revision}`, revision));
    expect(pickRollbackTarget(replicaSets, toRevision)?.replicaSet['metadata']).toEqual(
      expected === undefined ? undefined : expect.objectContaining({ name: expected }),
    );
  });

  it('reads revisions only from the annotation, as non-negative integers', () => {
    expect(revisionOf({ metadata: { annotations: { 'deployment.kubernetes.io/revision': '12' } } })).toBe(12);
    expect(
      revisionOf({ metadata: { annotations: { 'deployment.kubernetes.io/revision': '-1' } } }),
    ).toBeUndefined();
    expect(revisionOf({ metadata: {} })).toBeUndefined();
    expect(
      revisionOf(
        { metadata: { annotations: { 'rollout.argoproj.io/revision': '4' } } },
        'rollout.argoproj.io/revision',
      ),
    ).toBe(4);
  });

  it('ownership is by the controller reference’s uid', () => {
    expect(isControlledBy(aReplicaSet('a', '1'), 'dep-uid')).toBe(true);
    expect(isControlledBy(aReplicaSet('a', '1'), 'other')).toBe(false);
    expect(isControlledBy({ metadata: { ownerReferences: [{ uid: 'dep-uid' }] } }, 'dep-uid')).toBe(false);
  });
});

describe('template stripping', () => {
  it('removes the pod-template-hash label and nothing else, without touching the input', () => {
    const rs = aReplicaSet('a', '1');
    const stripped = stripTemplateHash(rs.spec.template);
    expect(stripped).toEqual({
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'web:a' }] },
    });
    expect(rs.spec.template.metadata.labels['pod-template-hash']).toBe('h-a');
  });

  it('drops a labels map the hash label was alone in', () => {
    expect(stripTemplateHash({ metadata: { labels: { 'pod-template-hash': 'x' } }, spec: {} })).toEqual({
      metadata: {},
      spec: {},
    });
  });

  it('strips Argo’s label when asked', () => {
    const template = { metadata: { labels: { app: 'web', 'rollouts-pod-template-hash': 'abc' } } };
    expect(stripTemplateHash(template, 'rollouts-pod-template-hash')).toEqual({
      metadata: { labels: { app: 'web' } },
    });
  });

  it.each([
    {
      name: 'same template, different hashes → equal',
      a: aReplicaSet('a', '1', 'web:1', 'h1'),
      b: aReplicaSet('b', '2', 'web:1', 'h2'),
      equal: true,
    },
    {
      name: 'different images → not equal',
      a: aReplicaSet('a', '1', 'web:1'),
      b: aReplicaSet('b', '2', 'web:2'),
      equal: false,
    },
  ])('$name', ({ a, b, equal }) => {
    expect(templatesEqualIgnoringHash(a.spec.template, b.spec.template)).toBe(equal);
  });
});

describe('rollback annotations (as kubectl computes them)', () => {
  it('keeps the Deployment’s bookkeeping annotations and takes the rest from the ReplicaSet', () => {
    const deployment = {
      metadata: {
        annotations: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'kubernetes.io/change-cause': 'release 3',
          'team/owner': 'shop',
        },
      },
    };
    const replicaSet = {
      metadata: {
        annotations: {
          'deployment.kubernetes.io/revision': '2',
          'deployment.kubernetes.io/desired-replicas': '3',
          'kubernetes.io/change-cause': 'release 2',
        },
      },
    };
    expect(rollbackAnnotations(deployment, replicaSet)).toEqual({
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'kubernetes.io/change-cause': 'release 2',
    });
  });
});

describe('describeImageChange', () => {
  it('names each container whose image changes', () => {
    const from = {
      spec: {
        containers: [
          { name: 'web', image: 'web:3' },
          { name: 'proxy', image: 'envoy:1' },
        ],
      },
    };
    const to = {
      spec: {
        containers: [
          { name: 'web', image: 'web:2' },
          { name: 'proxy', image: 'envoy:1' },
        ],
      },
    };
    expect(describeImageChange(from, to)).toBe('web: web:3 → web:2');
    expect(describeImageChange(from, from)).toBe('');
  });
});

describe('comparePreconditions', () => {
  const live = { resourceVersion: '120', generation: 4, revision: '3' };
  it.each([
    { name: 'nothing pinned → holds', pre: {}, expected: [] },
    {
      name: 'all equal → holds',
      pre: { resourceVersion: '120', generation: 4, revision: '3' },
      expected: [],
    },
    { name: 'a new generation → says from and to', pre: { generation: 3 }, expected: ['generation 3 → 4'] },
    {
      name: 'everything moved → one phrase each',
      pre: { resourceVersion: '100', generation: 3, revision: '2' },
      expected: ['generation 3 → 4', 'revision 2 → 3', 'resourceVersion 100 → 120'],
    },
  ])('$name', ({ pre, expected }) => {
    expect(comparePreconditions(pre, live)).toEqual(expected);
  });
});
