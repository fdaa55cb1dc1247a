import { InputError, loadBalancerDimension, regionOfArn, targetGroupDimension } from '@draingate/core';

/** Which ELBv2 resource an ARN must name. `any` accepts every taggable ELBv2 resource (DescribeTags). */
export type ElbArnKind = 'targetgroup' | 'loadbalancer' | 'any';

const ANY_ELB_ARN =
  /^arn:aws[\w-]*:elasticloadbalancing:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:(?:loadbalancer|targetgroup|listener|listener-rule|truststore)\/\S+$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

const EXAMPLES: Record<ElbArnKind, string> = {
  targetgroup: 'arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<16 hex>',
  loadbalancer: 'arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<16 hex>',
  any: 'arn:aws:elasticloadbalancing:<region>:<account>:<loadbalancer|targetgroup|listener|…>/…',
};

function matches(arn: string, kind: ElbArnKind): boolean {
  const region = regionOfArn(arn);
  if (region === undefined || !REGION.test(region)) return false;
  if (kind === 'targetgroup') return targetGroupDimension(arn) !== undefined;
  if (kind === 'loadbalancer') return loadBalancerDimension(arn) !== undefined;
  return ANY_ELB_ARN.test(arn);
}

/**
 * Checks an ARN before any call is made and returns its region. A malformed ARN is the caller's input, not an
 * upstream failure: it throws `InputError` with `path` naming the argument, so front ends answer it as a usage
 * error (exit 2, HTTP 400) instead of an Error measurement that Argo would retry.
 */
export function parseElbArn(arn: unknown, kind: ElbArnKind, path: string): { arn: string; region: string } {
  if (typeof arn !== 'string' || !matches(arn, kind)) {
    const shown =
      typeof arn === 'string' ? JSON.stringify(arn.length > 200 ? `${arn.slice(0, 200)}…` : arn) : typeof arn;
    const what =
      kind === 'any' ? 'an ELBv2 ARN' : `a ${kind === 'targetgroup' ? 'target group' : 'load balancer'} ARN`;
    throw new InputError(path, `${shown} is not ${what} (${EXAMPLES[kind]})`);
  }
  return { arn, region: regionOfArn(arn) ?? '' };
}

/** Validates every ARN of a list and groups them by region, keeping the first-seen order and dropping repeats. */
export function groupArnsByRegion(
  arns: readonly unknown[],
  kind: ElbArnKind,
  path: string,
): Map<string, string[]> {
  const byRegion = new Map<string, string[]>();
  const seen = new Set<string>();
  arns.forEach((raw, i) => {
    const { arn, region } = parseElbArn(raw, kind, `${path}[${i}]`);
    if (seen.has(arn)) return;
    seen.add(arn);
    const list = byRegion.get(region);
    if (list) list.push(arn);
    else byRegion.set(region, [arn]);
  });
  return byRegion;
}

/** Splits `items` into consecutive slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
