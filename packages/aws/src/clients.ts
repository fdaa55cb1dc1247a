/** Static or refreshing AWS credentials. Leave them out to use the SDK's default provider chain. */
export type AwsCredentials =
  | {
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
      readonly expiration?: Date;
    }
  | (() => Promise<{
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
      readonly expiration?: Date;
    }>);

/** How the SDK clients are built; shared by both services. */
export interface ClientSettings {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

/** The subset of an SDK client's constructor input the adapters set. */
export interface SdkClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentials;
  maxAttempts: number;
  retryMode: 'adaptive';
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: boolean };
}

/**
 * Builds an SDK client's config. Keys left undefined are omitted rather than set to `undefined`, so the SDK's
 * own resolution applies: the default credential chain, `AWS_REGION` / the shared config's region, and
 * `AWS_ENDPOINT_URL`(`_CLOUDWATCH`, `_ELASTIC_LOAD_BALANCING_V2`).
 */
export function sdkClientConfig(settings: ClientSettings, region: string | undefined): SdkClientConfig {
  return {
    ...(region !== undefined ? { region } : {}),
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
    maxAttempts: settings.maxAttempts,
    // Adaptive = standard retries with exponential back-off plus a client-side rate limiter that slows down
    // after throttling answers, which is what a poller sharing an account's API quota wants.
    retryMode: 'adaptive',
    // Per attempt; callAws bounds the whole call (attempts and back-off) by the same deadline.
    requestHandler: {
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/** One SDK client per region, built on first use: ELBv2 ARNs name their region, and calls follow it. */
export class RegionalClients<C extends { destroy(): void }> {
  readonly #clients = new Map<string, C>();
  constructor(
    private readonly settings: ClientSettings,
    private readonly make: (config: SdkClientConfig) => C,
  ) {}

  /** The client for `region`, or for the configured / SDK-default region when it is undefined. */
  get(region?: string): C {
    const effective = region ?? this.settings.region;
    const key = effective ?? '';
    let client = this.#clients.get(key);
    if (!client) {
      client = this.make(sdkClientConfig(this.settings, effective));
      this.#clients.set(key, client);
    }
    return client;
  }

  /** Closes every client's sockets. */
  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}
