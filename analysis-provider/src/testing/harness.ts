// Test helpers: an app over in-memory ports on a loopback port, and a log sink to search for secrets.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckPorts } from '../api/run-check.js';
import type { AccessPolicy, Lifecycle } from '../api/app.js';
import { createApp } from '../api/app.js';
import { createApprovalService } from '../approval/index.js';
import type { ApprovalService } from '../approval/index.js';
import type { ReviewSender } from '../approval/github-client.js';
import type { DecisionStore } from '../approval/decision-store.js';
import type { ApprovalSetup } from '../approval/setup.js';
import { createLogger } from '../logger.js';
import { createTelemetry } from '../telemetry.js';
import type { Telemetry } from '../telemetry.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const OTHER_TOKEN = 'other-token-0123456789abcdef';
export const LB_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef';
export const TG_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/fedcba9876543210';
export const TG2_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-canary/0011223344556677';

/** A running test app. */
export interface TestApp {
  readonly url: string;
  readonly logs: string[];
  readonly telemetry: Telemetry;
  readonly lifecycle: Lifecycle;
  /** The approval gate, when `approval` was given. */
  readonly approval?: ApprovalService;
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts the app over `ports` with two tokens (`ci`, `other`) unless `access` says otherwise. */
export async function startTestApp(
  ports: CheckPorts,
  options: {
    access?: Partial<AccessPolicy>;
    deadlineMs?: number;
    bodyLimitBytes?: number;
    /** Register Node's process metrics too (off by default: they are slow to collect). */
    telemetryDefaults?: boolean;
    /** Serve the approval gate's webhook with this setup, sending reviews to `sender`. */
    approval?: { setup: ApprovalSetup; sender: ReviewSender; store?: DecisionStore };
  } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const telemetry = createTelemetry({ defaults: options.telemetryDefaults ?? false });
  const logger = createLogger({ write: (line: string) => logs.push(line) }, 'debug');
  const lifecycle: Lifecycle = { ready: true, draining: false };
  const approval = options.approval
    ? createApprovalService(options.approval.setup, {
        ports,
        telemetry,
        logger,
        lifecycle,
        sender: options.approval.sender,
        ...(options.approval.store ? { store: options.approval.store } : {}),
      })
    : undefined;
  approval?.start();
  const tokens: Record<string, string> = { [TOKEN]: 'ci', [OTHER_TOKEN]: 'other' };
  const app = createApp({
    ports,
    access: {
      authenticate: (token) => tokens[token],
      rateLimit: { ratePerSecond: 1000, burst: 1000 },
      ...options.access,
    },
    telemetry,
    logger,
    lifecycle,
    deadlineMs: options.deadlineMs ?? 2000,
    bodyLimitBytes: options.bodyLimitBytes ?? 16_384,
    ...(approval ? { webhook: approval.handler } : {}),
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const send = async (
    path: string,
    init: RequestInit,
  ): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the test looks at the text.
    }
    return { status: res.status, body, headers: res.headers };
  };
  const auth = { authorization: `Bearer ${TOKEN}` };
  return {
    url,
    logs,
    telemetry,
    lifecycle,
    ...(approval ? { approval } : {}),
    get: (path, headers = auth) => send(path, { headers }),
    post: (path, body, headers = { ...auth, 'content-type': 'application/json' }) =>
      send(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    close: async () => {
      await approval?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
