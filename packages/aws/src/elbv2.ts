import {
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  InputError,
  UpstreamError,
  type LoadBalancerCatalog,
  type LoadBalancerInfo,
  type TargetGroupInfo,
  type TargetHealth,
  type TargetHealthSource,
  type TargetState,
} from '@draingate/core';
import { chunk, groupArnsByRegion, parseElbArn } from './arn.js';
import { callAws, type CallSettings } from './call.js';
import type { RegionalClients } from './clients.js';

/** DescribeLoadBalancers and DescribeTags take at most 20 ARNs; DescribeTargetGroups is asked in the same slices. */
export const MAX_ARNS_PER_CALL = 20;
/** ELBv2's largest page (PageSize 1–400). */
export const MAX_PAGE_SIZE = 400;
/** Concurrent DescribeTags calls while searching target groups by tag. */
const TAG_CONCURRENCY = 4;
const MAX_PAGES = 10_000;

/** AWS's own defaults for a target group created through the API, for fields an answer leaves out. */
const API_HEALTH_CHECK_DEFAULTS = {
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
} as const;

const STATES: ReadonlySet<string> = new Set<TargetState>([
  'initial',
  'healthy',
  'unhealthy',
  'unused',
  'draining',
  'unavailable',
]);

/** An ELBv2 target health description as the core's `TargetHealth`. */
export function toTargetHealth(d: TargetHealthDescription): TargetHealth {
  const raw = d.TargetHealth?.State ?? 'unavailable';
  // `unhealthy.draining`: failing health checks while draining; for the checks it is draining, and the reason says why.
  const state: TargetState =
    raw === 'unhealthy.draining' ? 'draining' : STATES.has(raw) ? (raw as TargetState) : 'unavailable';
  return {
    id: d.Target?.Id ?? '',
    ...(d.Target?.Port !== undefined ? { port: d.Target.Port } : {}),
    ...(d.Target?.AvailabilityZone !== undefined ? { availabilityZone: d.Target.AvailabilityZone } : {}),
    state,
    ...(d.TargetHealth?.Reason !== undefined ? { reason: d.TargetHealth.Reason } : {}),
    ...(d.TargetHealth?.Description !== undefined ? { description: d.TargetHealth.Description } : {}),
  };
}

/** An ELBv2 target group as the core's `TargetGroupInfo`. */
export function toTargetGroupInfo(g: TargetGroup): TargetGroupInfo {
  return {
    arn: g.TargetGroupArn ?? '',
    name: g.TargetGroupName ?? '',
    targetType: g.TargetType ?? 'instance',
    ...(g.Protocol !== undefined ? { protocol: g.Protocol } : {}),
    ...(g.Port !== undefined ? { port: g.Port } : {}),
    loadBalancerArns: [...(g.LoadBalancerArns ?? [])],
    healthCheck: {
      ...(g.HealthCheckPath !== undefined ? { path: g.HealthCheckPath } : {}),
      ...(g.HealthCheckProtocol !== undefined ? { protocol: g.HealthCheckProtocol } : {}),
      ...(g.HealthCheckPort !== undefined ? { port: g.HealthCheckPort } : {}),
      intervalSeconds: g.HealthCheckIntervalSeconds ?? API_HEALTH_CHECK_DEFAULTS.intervalSeconds,
      timeoutSeconds: g.HealthCheckTimeoutSeconds ?? API_HEALTH_CHECK_DEFAULTS.timeoutSeconds,
      healthyThresholdCount: g.HealthyThresholdCount ?? API_HEALTH_CHECK_DEFAULTS.healthyThresholdCount,
      unhealthyThresholdCount: g.UnhealthyThresholdCount ?? API_HEALTH_CHECK_DEFAULTS.unhealthyThresholdCount,
      ...(g.Matcher?.HttpCode !== undefined
        ? { successCodes: g.Matcher.HttpCode }
        : g.Matcher?.GrpcCode !== undefined
          ? { successCodes: g.Matcher.GrpcCode }
          : {}),
    },
  };
}

/** An ELBv2 load balancer as the core's `LoadBalancerInfo`. */
export function toLoadBalancerInfo(lb: LoadBalancer): LoadBalancerInfo {
  return {
    arn: lb.LoadBalancerArn ?? '',
    name: lb.LoadBalancerName ?? '',
    type: lb.Type ?? 'application',
    ...(lb.Scheme !== undefined ? { scheme: lb.Scheme } : {}),
    ...(lb.DNSName !== undefined ? { dnsName: lb.DNSName } : {}),
  };
}

/** `[{Key, Value}]` as a record; AWS keys are unique. */
export function toRecord(
  pairs: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Key, Value } of pairs ?? []) if (Key !== undefined) out[Key] = Value ?? '';
  return out;
}

/** Whether `tags` carries every key of `wanted` with the same value. */
export function hasAllTags(
  tags: Readonly<Record<string, string>>,
  wanted: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(wanted).every(([k, v]) => Object.hasOwn(tags, k) && tags[k] === v);
}

/** Runs `fn` over `items` with at most `limit` at a time, results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Settings of the ELBv2 adapter. */
export interface Elbv2Settings extends CallSettings {
  /** Region for calls that carry no ARN (the tag search); ARN calls go to the ARN's region. */
  readonly region?: string;
  /** Page size of DescribeTargetGroups / DescribeLoadBalancers, 1–400. */
  readonly pageSize: number;
}

/**
 * `TargetHealthSource` and `LoadBalancerCatalog` over ELBv2. ARNs are validated before any call (a malformed one
 * is an `InputError`) and each call goes to the region its ARN names. Lists are paged with Marker and sliced to
 * 20 ARNs a call.
 */
export class Elbv2Adapter implements TargetHealthSource, LoadBalancerCatalog {
  constructor(
    private readonly clients: RegionalClients<ElasticLoadBalancingV2Client>,
    private readonly settings: Elbv2Settings,
  ) {}

  async describeTargetHealth(targetGroupArn: string, signal?: AbortSignal): Promise<TargetHealth[]> {
    const { arn, region } = parseElbArn(targetGroupArn, 'targetgroup', 'targetGroupArn');
    const out = await this.call('DescribeTargetHealth', region, signal, (client, abortSignal) =>
      client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), { abortSignal }),
    );
    return (out.TargetHealthDescriptions ?? []).map(toTargetHealth);
  }

  async describeTargetGroups(arns: readonly string[], signal?: AbortSignal): Promise<TargetGroupInfo[]> {
    const byRegion = groupArnsByRegion(arns, 'targetgroup', 'targetGroupArns');
    const found = new Map<string, TargetGroupInfo>();
    for (const [region, list] of byRegion) {
      for (const slice of chunk(list, MAX_ARNS_PER_CALL)) {
        for (const g of await this.listTargetGroups(region, slice, signal)) found.set(g.arn, g);
      }
    }
    return [...new Set(arns)].flatMap((arn) => found.get(arn) ?? []);
  }

  async describeTargetGroupAttributes(
    arn: string,
    signal?: AbortSignal,
  ): Promise<Readonly<Record<string, string>>> {
    const parsed = parseElbArn(arn, 'targetgroup', 'targetGroupArn');
    const out = await this.call(
      'DescribeTargetGroupAttributes',
      parsed.region,
      signal,
      (client, abortSignal) =>
        client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: parsed.arn }), {
          abortSignal,
        }),
    );
    return toRecord(out.Attributes);
  }

  async describeLoadBalancers(arns: readonly string[], signal?: AbortSignal): Promise<LoadBalancerInfo[]> {
    const byRegion = groupArnsByRegion(arns, 'loadbalancer', 'loadBalancerArns');
    const found = new Map<string, LoadBalancerInfo>();
    for (const [region, list] of byRegion) {
      for (const slice of chunk(list, MAX_ARNS_PER_CALL)) {
        const lbs = await this.pages(
          'DescribeLoadBalancers',
          region,
          signal,
          async (client, marker, abortSignal) => {
            const out = await client.send(
              new DescribeLoadBalancersCommand({
                LoadBalancerArns: slice,
                PageSize: this.settings.pageSize,
                ...(marker !== undefined ? { Marker: marker } : {}),
              }),
              { abortSignal },
            );
            return { items: out.LoadBalancers ?? [], next: out.NextMarker };
          },
        );
        for (const lb of lbs) found.set(lb.LoadBalancerArn ?? '', toLoadBalancerInfo(lb));
      }
    }
    return [...new Set(arns)].flatMap((arn) => found.get(arn) ?? []);
  }

  async describeLoadBalancerAttributes(
    arn: string,
    signal?: AbortSignal,
  ): Promise<Readonly<Record<string, string>>> {
    const parsed = parseElbArn(arn, 'loadbalancer', 'loadBalancerArn');
    const out = await this.call(
      'DescribeLoadBalancerAttributes',
      parsed.region,
      signal,
      (client, abortSignal) =>
        client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: parsed.arn }), {
          abortSignal,
        }),
    );
    return toRecord(out.Attributes);
  }

  async describeTags(
    arns: readonly string[],
    signal?: AbortSignal,
  ): Promise<ReadonlyMap<string, Readonly<Record<string, string>>>> {
    const byRegion = groupArnsByRegion(arns, 'any', 'resourceArns');
    const tags = new Map<string, Record<string, string>>();
    for (const [region, list] of byRegion) {
      const answers = await mapLimit(chunk(list, MAX_ARNS_PER_CALL), TAG_CONCURRENCY, (slice) =>
        this.tagsOf(region, slice, signal),
      );
      for (const answer of answers) for (const [arn, t] of answer) tags.set(arn, t);
    }
    // In the order asked, whatever order the calls came back in.
    return new Map(
      [...new Set(arns)].flatMap((arn) => {
        const t = tags.get(arn);
        return t ? [[arn, t] as const] : [];
      }),
    );
  }

  async findTargetGroupsByTags(
    tags: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<TargetGroupInfo[]> {
    if (Object.keys(tags).length === 0) {
      // An empty filter would match every target group of the account: never what a caller means.
      throw new InputError('tags', 'name at least one tag to match');
    }
    const region = this.settings.region;
    const groups = await this.listTargetGroups(region, undefined, signal);
    const slices = chunk(
      groups.map((g) => g.arn),
      MAX_ARNS_PER_CALL,
    );
    const answers = await mapLimit(slices, TAG_CONCURRENCY, (slice) => this.tagsOf(region, slice, signal));
    const matching = new Set(
      answers.flatMap((answer) => [...answer].filter(([, t]) => hasAllTags(t, tags)).map(([arn]) => arn)),
    );
    return groups.filter((g) => matching.has(g.arn));
  }

  /** DescribeTargetGroups, by ARNs (≤ 20) or all of the region, following NextMarker. */
  private async listTargetGroups(
    region: string | undefined,
    arns: string[] | undefined,
    signal: AbortSignal | undefined,
  ): Promise<TargetGroupInfo[]> {
    const groups = await this.pages(
      'DescribeTargetGroups',
      region,
      signal,
      async (client, marker, abortSignal) => {
        const out = await client.send(
          new DescribeTargetGroupsCommand({
            ...(arns !== undefined ? { TargetGroupArns: arns } : {}),
            PageSize: this.settings.pageSize,
            ...(marker !== undefined ? { Marker: marker } : {}),
          }),
          { abortSignal },
        );
        return { items: out.TargetGroups ?? [], next: out.NextMarker };
      },
    );
    return groups.map(toTargetGroupInfo);
  }

  private async tagsOf(
    region: string | undefined,
    arns: string[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, Record<string, string>>> {
    const out = await this.call('DescribeTags', region, signal, (client, abortSignal) =>
      client.send(new DescribeTagsCommand({ ResourceArns: arns }), { abortSignal }),
    );
    return new Map((out.TagDescriptions ?? []).map((d) => [d.ResourceArn ?? '', toRecord(d.Tags)]));
  }

  /** One ELBv2 call in `region` (the configured one when undefined), under the per-call deadline. */
  private call<T>(
    operation: string,
    region: string | undefined,
    signal: AbortSignal | undefined,
    send: (client: ElasticLoadBalancingV2Client, abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const client = this.clients.get(region);
    return callAws(this.settings, 'elbv2', operation, region ?? this.settings.region, signal, (abortSignal) =>
      send(client, abortSignal),
    );
  }

  /** Follows NextMarker; each page is its own call with its own deadline. */
  private async pages<T>(
    operation: string,
    region: string | undefined,
    signal: AbortSignal | undefined,
    page: (
      client: ElasticLoadBalancingV2Client,
      marker: string | undefined,
      abortSignal: AbortSignal,
    ) => Promise<{ items: T[]; next: string | undefined }>,
  ): Promise<T[]> {
    const items: T[] = [];
    const markers = new Set<string>();
    let marker: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const out = await this.call(operation, region, signal, (client, abortSignal) =>
        page(client, marker, abortSignal),
      );
      items.push(...out.items);
      marker = out.next || undefined;
      if (marker === undefined) return items;
      if (markers.has(marker)) {
        throw new UpstreamError(
          'elbv2',
          operation,
          'unknown',
          `NextMarker ${marker} repeated: paging would never end`,
        );
      }
      markers.add(marker);
    }
    throw new UpstreamError('elbv2', operation, 'unknown', `more than ${MAX_PAGES} pages`);
  }
}
