import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../ports/cluster.js';
import { evaluateCanaryStart } from './canary-start.js';

function aCanaryPod(
  name: string,
  times: Partial<Pick<PodInfo, 'createdAt' | 'readySince' | 'containersReadySince'>>,
): PodInfo {
  return {
    name,
    namespace: 'shop',
    uid: `uid-${name}`,
    phase: 'Running',
    ready: times.readySince !== undefined,
    terminating: false,
    labels: { 'rollouts-pod-template-hash': '7d9f8c' },
    conditions: {},
    ...times,
  };
}

const at = (time: string) => new Date(`2026-01-01T${time}Z`);

describe('evaluateCanaryStart', () => {
  it.each([
    {
      name: 'the earliest ready pod of the revision gives the start',
      pods: [
        aCanaryPod('web-b', { createdAt: at('12:01:00'), readySince: at('12:03:00') }),
        aCanaryPod('web-a', { createdAt: at('12:00:00'), readySince: at('12:02:00') }),
      ],
      expected: { since: at('12:02:00'), pod: 'web-a', from: 'ready', pods: 2 },
    },
    {
      name: 'containers ready (when the controller registers the target) wins over Ready',
      pods: [
        aCanaryPod('web-a', {
          createdAt: at('12:00:00'),
          containersReadySince: at('12:00:40'),
          readySince: at('12:01:10'),
        }),
      ],
      expected: { since: at('12:00:40'), pod: 'web-a', from: 'containersReady', pods: 1 },
    },
    {
      name: 'a pod never ready counts from its creation, earlier than a ready one',
      pods: [
        aCanaryPod('web-a', { createdAt: at('12:05:00'), readySince: at('12:06:00') }),
        aCanaryPod('web-b', { createdAt: at('12:04:00') }),
      ],
      expected: { since: at('12:04:00'), pod: 'web-b', from: 'created', pods: 2 },
    },
  ])('$name', ({ pods, expected }) => {
    expect(evaluateCanaryStart(pods)).toEqual(expected);
  });

  it.each([
    { name: 'no pod → no start', pods: [] },
    { name: 'a pod without any time → no start', pods: [aCanaryPod('web-a', {})] },
  ])('$name', ({ pods }) => {
    expect(evaluateCanaryStart(pods)).toBeUndefined();
  });
});
