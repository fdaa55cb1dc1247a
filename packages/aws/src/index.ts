/**
 * @draingate/aws: the core's ports over AWS SDK v3. CloudWatch GetMetricData as a `MetricsSource`; ELBv2 as a
 * `TargetHealthSource` and a `LoadBalancerCatalog`. Returns core types only; batching, paging, retries,
 * deadlines and error mapping live here.
 */
export { createAwsAdapters } from './factory.js';
export type { AwsAdapterOptions, AwsAdapters } from './factory.js';
export type { AwsCallHook, AwsCallOutcome } from './call.js';
export type { AwsCredentials } from './clients.js';
export type { AwsService } from './errors.js';
export { classifyAwsError, describeAwsError, normalizeErrorCode, toUpstreamError } from './errors.js';
export { parseElbArn } from './arn.js';
export { MAX_QUERIES_PER_CALL, cloudWatchQueryId } from './cloudwatch.js';
export { MAX_ARNS_PER_CALL } from './elbv2.js';
