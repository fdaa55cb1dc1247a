import type { LoadBalancerCatalog } from '../ports/elb.js';
import { UpstreamError } from '../ports/errors.js';

/**
 * Fails with a `not-found` UpstreamError when the load balancer does not exist. CloudWatch answers a metric of
 * an unknown load balancer with no datapoints, which the checks read as zero traffic; without this a mistyped ARN
 * would be judged "0 requests" (Inconclusive) on every measurement instead of an Error someone looks at.
 */
export async function requireLoadBalancer(
  catalog: LoadBalancerCatalog,
  arn: string,
  signal?: AbortSignal,
): Promise<void> {
  const found = await catalog.describeLoadBalancers([arn], signal);
  if (!found.some((lb) => lb.arn === arn)) {
    throw new UpstreamError(
      'elbv2',
      'DescribeLoadBalancers',
      'not-found',
      `load balancer ${arn} does not exist (in this account and region)`,
    );
  }
}
