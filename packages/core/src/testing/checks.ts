import { ALB_METRICS } from '../checks/queries.js';
import type { InMemoryMetrics } from './memory-ports.js';

/** ARNs for check tests: one ALB with a stable and a canary target group. */
export const ARNS = {
  loadBalancer: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef',
  stable:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-web-1a2b3c4d5e/00000000000000aa',
  canary:
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-shop-webcanary-9f8e7d/00000000000000bb',
} as const;

export const LB_DIMENSION = 'app/shop/0123456789abcdef';
export const STABLE_DIMENSION = 'targetgroup/k8s-shop-web-1a2b3c4d5e/00000000000000aa';
export const CANARY_DIMENSION = 'targetgroup/k8s-shop-webcanary-9f8e7d/00000000000000bb';

/** Counts of one minute of ALB traffic; absent means CloudWatch published no datapoint. */
export interface Minute {
  readonly elb5xx?: number;
  readonly elb502?: number;
  readonly target5xx?: number;
  readonly requests?: number;
  readonly connectionErrors?: number;
}

/**
 * Puts minutes of traffic into an InMemoryMetrics, the first at `start`, one per minute, for the load balancer
 * and one target group (the stable one unless said otherwise). Zero counts are left out, as CloudWatch does.
 */
export function putMinutes(
  metrics: InMemoryMetrics,
  start: Date,
  minutes: readonly Minute[],
  targetGroupDimension: string = STABLE_DIMENSION,
): InMemoryMetrics {
  const lb = { LoadBalancer: LB_DIMENSION };
  const tg = { LoadBalancer: LB_DIMENSION, TargetGroup: targetGroupDimension };
  minutes.forEach((minute, index) => {
    const at = new Date(start.getTime() + index * 60_000);
    const put = (metricName: string, dimensions: Record<string, string>, value: number | undefined): void => {
      if (value) metrics.put({ metricName, dimensions }, at, value);
    };
    put(ALB_METRICS.elb5xx, lb, minute.elb5xx);
    put(ALB_METRICS.elb502, lb, minute.elb502);
    put(ALB_METRICS.target5xx, tg, minute.target5xx);
    put(ALB_METRICS.requests, tg, minute.requests);
    put(ALB_METRICS.connectionErrors, tg, minute.connectionErrors);
    // The load balancer's own totals, which the check uses when no target group is named.
    put(ALB_METRICS.target5xx, lb, minute.target5xx);
    put(ALB_METRICS.requests, lb, minute.requests);
  });
  return metrics;
}

/** `n` copies of a minute. */
export function minutes(n: number, minute: Minute): Minute[] {
  return Array.from({ length: n }, () => minute);
}
