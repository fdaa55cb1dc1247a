import { describe, expect, it } from 'vitest';
import { parseWorkloadRef, podSelectorOf, targetGroupArnsFor } from './workload-ref.js';

describe('parseWorkloadRef', () => {
  it.each([
    { text: 'deployment/web', kind: 'Deployment' },
    { text: 'deploy/web', kind: 'Deployment' },
    { text: 'deployments.apps/web', kind: undefined },
    { text: 'deployment.apps/web', kind: 'Deployment' },
    { text: 'rollout/web', kind: 'Rollout' },
    { text: 'ro/web', kind: 'Rollout' },
    { text: 'sts/web', kind: 'StatefulSet' },
    { text: 'daemonset/web', kind: 'DaemonSet' },
    { text: 'ds/web', kind: 'DaemonSet' },
    { text: 'replicaset/web', kind: undefined },
    { text: 'web', kind: undefined },
  ])('$text → $kind', ({ text, kind }) => {
    if (kind) expect(parseWorkloadRef(text, 'shop')).toEqual({ kind, namespace: 'shop', name: 'web' });
    else expect(() => parseWorkloadRef(text, 'shop')).toThrow(/workload: must be deployment\/NAME/);
  });

  it('refuses names and namespaces Kubernetes would refuse', () => {
    expect(() => parseWorkloadRef('deployment/Web', 'shop')).toThrow(/not a valid Kubernetes name/);
    expect(() => parseWorkloadRef('deployment/web', 'a.b')).toThrow(
      /namespace: "a\.b" is not a valid namespace/,
    );
  });
});

describe('podSelectorOf and targetGroupArnsFor', () => {
  const workload = {
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } } },
    },
  };
  it('reads matchLabels', () => {
    expect(podSelectorOf(workload)).toEqual({ app: 'web' });
    expect(podSelectorOf({ spec: { selector: { matchExpressions: [] } } })).toBeUndefined();
  });

  it('finds the target groups of the TargetGroupBindings whose Service selects the pods', () => {
    const services = [
      { metadata: { name: 'web' }, spec: { selector: { app: 'web' } } },
      { metadata: { name: 'api' }, spec: { selector: { app: 'api' } } },
      { metadata: { name: 'headless' }, spec: {} },
    ];
    const bindings = [
      { spec: { serviceRef: { name: 'web', port: 80 }, targetGroupARN: 'arn:tg/web' } },
      { spec: { serviceRef: { name: 'api', port: 80 }, targetGroupARN: 'arn:tg/api' } },
      { spec: { serviceRef: { name: 'web', port: 81 }, targetGroupARN: 'arn:tg/web' } },
    ];
    expect(targetGroupArnsFor(workload, services, bindings)).toEqual(['arn:tg/web']);
  });
});
