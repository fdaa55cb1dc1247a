/** One CloudWatch metric to read, as the core names it. Adapters turn it into their service's query. */
export interface MetricQuery {
  /** Unique within one read; letters, digits and underscores, starting with a lower-case letter. */
  readonly id: string;
  readonly namespace: 'AWS/ApplicationELB' | 'AWS/NetworkELB';
  readonly metricName: string;
  /** Dimension values are ARN suffixes: `app/<name>/<id>`, `targetgroup/<name>/<id>`. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount' | MetricPercentile;
}

/** The percentiles (CloudWatch extended statistics) the core reads, e.g. of TargetResponseTime. */
export type MetricPercentile = 'p50' | 'p90' | 'p95' | 'p99';

/** A time window, aligned to whole periods by the caller. */
export interface MetricWindow {
  readonly start: Date;
  readonly end: Date;
  readonly periodSeconds: number;
}

/** Raw datapoints of one query. A period with no datapoint is absent here; the core decides what it means. */
export interface MetricSeries {
  readonly id: string;
  readonly points: readonly { readonly timestamp: Date; readonly value: number }[];
}

/** Reads metrics: one call may carry many queries; the adapter batches, pages and retries. */
export interface MetricsSource {
  readMetrics(
    queries: readonly MetricQuery[],
    window: MetricWindow,
    signal?: AbortSignal,
  ): Promise<MetricSeries[]>;
}
