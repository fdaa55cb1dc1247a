import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancerCatalog, MetricsSource, TargetHealthSource } from '@draingate/core';
import type { AwsCallHook } from './call.js';
import { RegionalClients, type AwsCredentials, type ClientSettings } from './clients.js';
import { CloudWatchMetricsSource } from './cloudwatch.js';
import { Elbv2Adapter, MAX_PAGE_SIZE } from './elbv2.js';

/** Options of `createAwsAdapters`. Everything is optional: the SDK's defaults fill the gaps. */
export interface AwsAdapterOptions {
  /**
   * Region for CloudWatch and for the tag search. ELBv2 calls about an ARN always go to the ARN's region. Without
   * it the SDK resolves one (`AWS_REGION`, `AWS_DEFAULT_REGION`… then the shared config's profile).
   */
  readonly region?: string;
  /** An endpoint for both services (moto, a VPC endpoint). Without it: `AWS_ENDPOINT_URL*`, then AWS's own. */
  readonly endpoint?: string;
  /**
   * Credentials, static or a provider. Without them the SDK's default chain applies: environment variables,
   * SSO / shared config and credentials files (`AWS_PROFILE`), `credential_process`, web identity
   * (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, as IRSA sets them), EKS Pod Identity and ECS container
   * credentials (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), then the EC2 instance metadata service.
   */
  readonly credentials?: AwsCredentials;
  /** Deadline of one AWS call, retries and back-off included. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Attempts per call, the first included, with the SDK's adaptive retry mode. Default 3, at most 10. */
  readonly maxAttempts?: number;
  /** Called once per AWS call with its outcome and duration. */
  readonly onCall?: AwsCallHook;
  /** Page size for DescribeTargetGroups / DescribeLoadBalancers, 1–400 (default 400; small values for tests). */
  readonly pageSize?: number;
}

/** The adapters, and `destroy` to close their sockets when done. */
export interface AwsAdapters {
  readonly metrics: MetricsSource;
  readonly targetHealth: TargetHealthSource;
  readonly catalog: LoadBalancerCatalog;
  /** Closes the SDK clients' connections. The adapters must not be used afterwards. */
  destroy(): void;
}

function bounded(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be an integer in ${min}–${max}, got ${v}`);
  return v;
}

/** Builds the CloudWatch and ELBv2 adapters over AWS SDK v3 clients created on first use, one per region. */
export function createAwsAdapters(options: AwsAdapterOptions = {}): AwsAdapters {
  const timeoutMs = bounded('timeoutMs', options.timeoutMs, 5000, 1, 600_000);
  const maxAttempts = bounded('maxAttempts', options.maxAttempts, 3, 1, 10);
  const pageSize = bounded('pageSize', options.pageSize, MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const settings: ClientSettings = {
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    timeoutMs,
    maxAttempts,
  };
  const call = {
    timeoutMs,
    ...(options.onCall !== undefined ? { onCall: options.onCall } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
  };
  const cloudwatch = new RegionalClients(settings, (config) => new CloudWatchClient(config));
  const elbv2 = new RegionalClients(settings, (config) => new ElasticLoadBalancingV2Client(config));
  const adapter = new Elbv2Adapter(elbv2, { ...call, pageSize });
  return {
    metrics: new CloudWatchMetricsSource(cloudwatch, call),
    targetHealth: adapter,
    catalog: adapter,
    destroy() {
      cloudwatch.destroy();
      elbv2.destroy();
    },
  };
}
