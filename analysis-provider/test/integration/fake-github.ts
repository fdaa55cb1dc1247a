// A loopback stand-in for GitHub's REST API: issues installation tokens and takes protection-rule reviews, and
// judges every request it gets against GitHub's OpenAPI description (see github-openapi.ts).
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitHubOpenApiJudge } from './github-openapi.js';

/** One request the fake received, and what the judge said. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly operationId?: string;
  readonly authorization: string;
  readonly body: unknown;
  readonly status: number;
  readonly problems: readonly string[];
}

/** A review GitHub accepted. */
export interface AcceptedReview {
  readonly owner: string;
  readonly repo: string;
  readonly runId: string;
  readonly environment_name: string;
  readonly state: string;
  readonly comment: string;
}

/** A status comment (a review without a state) GitHub accepted. */
export interface AcceptedComment {
  readonly runId: string;
  readonly environment_name: string;
  readonly comment: string;
}

/** One entry of the App's webhook delivery log, as the fake keeps it. */
export interface LoggedDelivery {
  readonly id: number;
  readonly guid: string;
  readonly delivered_at: string;
  readonly redelivery: boolean;
  readonly status_code: number;
  readonly event: string;
  readonly action: string | null;
}

/** The running fake. */
export interface FakeGitHub {
  /** The API base URL to configure (`http://127.0.0.1:<port><basePath>`). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly reviews: AcceptedReview[];
  readonly comments: AcceptedComment[];
  /** The App's webhook delivery log (`GET /app/hook/deliveries`), newest last; tests append to it. */
  readonly deliveries: LoggedDelivery[];
  /** Delivery ids asked to be redelivered (`POST /app/hook/deliveries/{id}/attempts`). */
  readonly redelivered: number[];
  /** Every problem with any request, and with the fake's own answers: must stay empty. */
  problems(): string[];
  /** The next answers of an operation: a status, or `drop` to cut the connection without answering. */
  script(operationId: string, answers: readonly (number | 'drop')[]): void;
  /** A re-run of the run's job: the environment's rule is pending again and takes one more review. */
  rerun(runId: string, environment: string): void;
  /**
   * Sends a webhook delivery to `webhookUrl` as GitHub does and logs it with the status it got (0: no answer);
   * a redelivery (`POST /app/hook/deliveries/{id}/attempts`) sends the same body and headers again.
   */
  deliver(delivery: { body: string; headers: Record<string, string> }, redelivery?: boolean): Promise<number>;
  close(): Promise<void>;
}

const REVIEW = /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

/** Starts the fake; `repositories` maps `owner/repo` to the repository id tokens are scoped by. */
export async function startFakeGitHub(options: {
  readonly judge: GitHubOpenApiJudge;
  readonly appId: number;
  readonly appPublicKey: KeyObject;
  readonly repositories: Readonly<Record<string, number>>;
  readonly basePath?: string;
  /** Where webhook deliveries go (`deliver`, redeliveries). */
  readonly webhookUrl?: () => string;
}): Promise<FakeGitHub> {
  const { judge } = options;
  const basePath = options.basePath ?? '';
  const requests: RecordedRequest[] = [];
  const reviews: AcceptedReview[] = [];
  const comments: AcceptedComment[] = [];
  const deliveries: LoggedDelivery[] = [];
  const redelivered: number[] = [];
  const sent = new Map<number, { body: string; headers: Record<string, string> }>();
  let nextDeliveryId = 1;
  const deliver = async (
    delivery: { body: string; headers: Record<string, string> },
    redelivery = false,
  ): Promise<number> => {
    const id = nextDeliveryId++;
    sent.set(id, delivery);
    let status: number;
    try {
      const res = await fetch(options.webhookUrl?.() ?? 'http://127.0.0.1:9/', {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 0;
    }
    const payload = JSON.parse(delivery.body) as { action?: string };
    deliveries.push({
      id,
      guid: delivery.headers['x-github-delivery'] ?? '',
      delivered_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      redelivery,
      status_code: status,
      event: delivery.headers['x-github-event'] ?? '',
      action: payload.action ?? null,
    });
    return status;
  };
  /** Protection rules opened per run and environment: 1, and one more per re-run. */
  const rules = new Map<string, number>();
  const ownProblems: string[] = [];
  const scripts = new Map<string, (number | 'drop')[]>();
  const tokens = new Map<
    string,
    { repositoryIds: readonly number[]; expiresAt: number; deployments: string }
  >();

  const isInstallationToken = (token: string, path: string): string | undefined => {
    const issued = tokens.get(token);
    if (!issued) return 'the Authorization is not an installation token this app was issued';
    if (issued.expiresAt <= Date.now()) return 'the installation token has expired';
    const repo = /^\/repos\/([^/]+)\/([^/]+)\//.exec(path);
    const id = repo ? options.repositories[`${repo[1]}/${repo[2]}`.toLowerCase()] : undefined;
    if (repo && (id === undefined || !issued.repositoryIds.includes(id)))
      return `the installation token does not cover ${repo[1]}/${repo[2]}`;
    if (issued.deployments !== 'write') return 'the installation token lacks deployments: write';
    return undefined;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      const problems: string[] = [];
      if (!url.pathname.startsWith(`${basePath}/`))
        problems.push(`${url.pathname}: outside the API base path`);
      const path = url.pathname.slice(basePath.length);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
      );
      const judgement = judge.judge(
        { method: req.method ?? 'GET', path, headers, body: text },
        {
          appId: options.appId,
          appPublicKey: options.appPublicKey,
          isInstallationToken,
          now: () => new Date(),
        },
      );
      problems.push(...judgement.problems);
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      const send = (status: number, answer?: unknown): void => {
        requests.push({
          method: req.method ?? '',
          path,
          ...(judgement.operationId ? { operationId: judgement.operationId } : {}),
          authorization: req.headers.authorization ?? '',
          body,
          status,
          problems,
        });
        if (status < 300 && judgement.operationId)
          ownProblems.push(...judge.judgeResponse(judgement.operationId, status, answer));
        res.writeHead(
          status,
          answer === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
        );
        res.end(answer === undefined ? undefined : JSON.stringify(answer));
      };
      if (problems.length > 0) {
        send(422, { message: 'Validation Failed', errors: problems });
        return;
      }
      const scripted = judgement.operationId ? scripts.get(judgement.operationId)?.shift() : undefined;
      if (scripted === 'drop') {
        requests.push({ method: req.method ?? '', path, authorization: '', body, status: 0, problems: [] });
        res.socket?.destroy();
        return;
      }
      if (scripted !== undefined) {
        send(scripted, { message: 'scripted failure', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
      if (judgement.operationId === 'apps/create-installation-access-token') {
        const asked = body as { repository_ids?: number[]; permissions?: { deployments?: string } };
        const token = `ghs_${randomBytes(18).toString('hex')}`;
        const expiresAt = Date.now() + 3_600_000;
        tokens.set(token, {
          repositoryIds: asked.repository_ids ?? Object.values(options.repositories),
          expiresAt,
          deployments: asked.permissions?.deployments ?? 'write',
        });
        send(201, {
          token,
          expires_at: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, 'Z'),
          permissions: asked.permissions ?? { deployments: 'write' },
          repository_selection: 'selected',
        });
        return;
      }
      if (judgement.operationId === 'apps/list-webhook-deliveries') {
        const cursor = Number(url.searchParams.get('cursor') ?? '0');
        const perPage = Number(url.searchParams.get('per_page') ?? '30');
        const newestFirst = [...deliveries].reverse();
        const page = newestFirst.slice(cursor, cursor + perPage);
        if (cursor + perPage < newestFirst.length)
          res.setHeader(
            'link',
            `<http://fake${basePath}/app/hook/deliveries?per_page=${perPage}&cursor=${cursor + perPage}>; rel="next"`,
          );
        send(
          200,
          page.map((d) => ({
            ...d,
            duration: 0.1,
            status: d.status_code === 0 ? 'Timeout' : `${d.status_code}`,
            installation_id: 77,
            repository_id: null,
            throttled_at: null,
          })),
        );
        return;
      }
      if (judgement.operationId === 'apps/redeliver-webhook-delivery') {
        const id = Number(/\/deliveries\/(\d+)\/attempts$/.exec(path)?.[1]);
        if (!deliveries.some((d) => d.id === id)) {
          send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        redelivered.push(id);
        send(202);
        const original = sent.get(id);
        if (original) void deliver(original, true);
        return;
      }
      const review = REVIEW.exec(path);
      if (judgement.operationId === 'actions/review-custom-gates-for-run' && review) {
        const given = body as { environment_name: string; state?: string; comment?: string };
        const [, owner = '', repo = '', runId = ''] = review;
        const ruleKey = `${runId}@${given.environment_name.toLowerCase()}`;
        const decided =
          reviews.filter((r) => r.runId === runId && r.environment_name === given.environment_name).length >=
          (rules.get(ruleKey) ?? 1);
        if (given.state === undefined) {
          if (decided) {
            send(422, { message: 'No pending custom deployment protection rule' });
            return;
          }
          comments.push({ runId, environment_name: given.environment_name, comment: given.comment ?? '' });
          send(204);
          return;
        }
        if (decided) {
          ownProblems.push(`run ${runId} ${given.environment_name}: decided twice`);
          send(422, { message: 'No pending custom deployment protection rule' });
          return;
        }
        reviews.push({ owner, repo, runId, ...given, state: given.state, comment: given.comment ?? '' });
        send(204);
        return;
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    reviews,
    comments,
    deliveries,
    redelivered,
    problems: () => [...requests.flatMap((r) => r.problems), ...ownProblems],
    script: (operationId, answers) => scripts.set(operationId, [...answers]),
    deliver,
    rerun: (runId, environment) => {
      const key = `${runId}@${environment.toLowerCase()}`;
      rules.set(key, (rules.get(key) ?? 1) + 1);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
