import type { PodInfo } from '../ports/cluster.js';

/** When the canary started, as its pods tell it, and which pod said so. */
export interface CanaryStart {
  readonly since: Date;
  readonly pod: string;
  /** Which of the pod's times it is: containers ready, Ready, or created (a pod never ready yet). */
  readonly from: 'containersReady' | 'ready' | 'created';
  readonly pods: number;
}

/**
 * The canary's start for the sequential test, from the pods of its revision: the earliest time any of them could
 * have received traffic. The AWS Load Balancer Controller registers an ip target once the pod's containers are
 * ready, so that is each pod's time (its Ready time without that condition, its creation time when it has been
 * ready never). Every minute before the first registration has no canary requests and leaves the test unchanged,
 * so an early start costs nothing; what matters is that every look of an analysis finds the same start, and the
 * oldest pod of a revision keeps its time for as long as it lives. Undefined without a pod with a known time. Pure.
 */
export function evaluateCanaryStart(pods: readonly PodInfo[]): CanaryStart | undefined {
  let start: Omit<CanaryStart, 'pods'> | undefined;
  for (const pod of pods) {
    const [from, at] = pod.containersReadySince
      ? (['containersReady', pod.containersReadySince] as const)
      : pod.readySince
        ? (['ready', pod.readySince] as const)
        : (['created', pod.createdAt] as const);
    if (at === undefined || Number.isNaN(at.getTime())) continue;
    if (start === undefined || at.getTime() < start.since.getTime())
      start = { since: at, pod: pod.name, from };
  }
  return start === undefined ? undefined : { ...start, pods: pods.length };
}
