import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheEvent } from './upstream/cache.js';

/** The provider's Prometheus metrics, in a registry of its own so tests and several servers never collide. */
export interface Telemetry {
  readonly registry: Registry;
  /** Counts one answered request and its duration. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** The adapters' `onCall` hook: one upstream call and its outcome. */
  observeUpstream(service: string, operation: string, outcome: string, ms: number): void;
  observeCache(cache: string, event: CacheEvent): void;
  observeBatch(queries: number): void;
  observeVerdict(check: string, phase: string): void;
  observeDenied(reason: 'unauthenticated' | 'forbidden' | 'rate-limited'): void;
  /** One GitHub webhook delivery and what became of it (accepted, duplicate, invalid-signature…). */
  observeWebhook(result: string): void;
  /**
   * One approval decision: approved, rejected, already-decided (GitHub's 422), failed (not sent before the
   * deadline, or stopped by an error), retrying (a post to try again), handed-over (shutdown).
   */
  observeDecision(outcome: string): void;
  /** Pending approval decisions: worked on by this replica (`replica`), or in the whole store (`store`). */
  setPendingDecisions(scope: 'replica' | 'store', count: number): void;
  setTokens(count: number): void;
  setInFlight(delta: number): void;
}

/**
 * Builds the metrics; `defaults` adds Node's process metrics (RSS, event loop lag, GC) under their standard
 * names (`process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`…), which ready-made dashboards and
 * alerts query; a prefix would hide them.
 */
export function createTelemetry(options: { defaults?: boolean } = {}): Telemetry {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Counter({
    name: 'draingate_provider_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'draingate_provider_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route.',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 10],
    registers,
  });
  const upstream = new Counter({
    name: 'draingate_provider_upstream_calls_total',
    help: 'Calls to AWS and the Kubernetes API, by service, operation and outcome.',
    labelNames: ['service', 'operation', 'outcome'] as const,
    registers,
  });
  const upstreamLatency = new Histogram({
    name: 'draingate_provider_upstream_call_duration_seconds',
    help: 'Duration of upstream calls, retries included.',
    labelNames: ['service', 'operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const cacheEvents = new Counter({
    name: 'draingate_provider_cache_lookups_total',
    help: 'Cache lookups by cache and result: hit, miss (an upstream call), coalesced (waited for a call in flight).',
    labelNames: ['cache', 'result'] as const,
    registers,
  });
  const coalesced = new Counter({
    name: 'draingate_provider_coalesced_waits_total',
    help: 'Lookups that waited for an identical upstream call already in flight instead of making their own.',
    labelNames: ['cache'] as const,
    registers,
  });
  const batches = new Histogram({
    name: 'draingate_provider_metric_batch_queries',
    help: 'Distinct metric queries per shared GetMetricData read.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers,
  });
  const verdicts = new Counter({
    name: 'draingate_provider_verdicts_total',
    help: 'Verdicts returned, by check and phase.',
    labelNames: ['check', 'phase'] as const,
    registers,
  });
  const denied = new Counter({
    name: 'draingate_provider_denied_total',
    help: 'Requests refused before any check ran, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const webhooks = new Counter({
    name: 'draingate_provider_webhook_deliveries_total',
    help: 'GitHub webhook deliveries, by result: accepted, duplicate, ignored, invalid-signature, malformed…',
    labelNames: ['result'] as const,
    registers,
  });
  const decisions = new Counter({
    name: 'draingate_provider_approval_decisions_total',
    help: 'Deployment protection rule decisions, by outcome: approved, rejected, already-decided, failed, retrying, handed-over.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const pendingDecisions = new Gauge({
    name: 'draingate_provider_approval_pending_decisions',
    help: 'Approval decisions not answered yet: worked on by this replica (scope=replica), in the shared store as of the last sweep (scope=store).',
    labelNames: ['scope'] as const,
    registers,
  });
  const tokens = new Gauge({
    name: 'draingate_provider_tokens',
    help: 'Bearer tokens currently loaded.',
    registers,
  });
  const inFlight = new Gauge({
    name: 'draingate_provider_requests_in_flight',
    help: 'Check requests being answered.',
    registers,
  });
  return {
    registry,
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
    observeUpstream(service, operation, outcome, ms) {
      upstream.inc({ service, operation, outcome });
      upstreamLatency.observe({ service, operation }, ms / 1000);
    },
    observeCache(cache, event) {
      cacheEvents.inc({ cache, result: event });
      if (event === 'coalesced') coalesced.inc({ cache });
    },
    observeBatch(queries) {
      batches.observe(queries);
    },
    observeVerdict(check, phase) {
      verdicts.inc({ check, phase });
    },
    observeDenied(reason) {
      denied.inc({ reason });
    },
    observeWebhook(result) {
      webhooks.inc({ result });
    },
    observeDecision(outcome) {
      decisions.inc({ outcome });
    },
    setPendingDecisions(scope, count) {
      pendingDecisions.set({ scope }, count);
    },
    setTokens(count) {
      tokens.set(count);
    },
    setInFlight(delta) {
      inFlight.inc(delta);
    },
  };
}
