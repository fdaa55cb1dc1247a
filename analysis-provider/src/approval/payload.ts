import { z } from 'zod';

const owner = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub account name')
  .max(39);
const repoName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository name')
  .refine((name) => name !== '.' && name !== '..', 'must be a GitHub repository name');
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * The fields of a `deployment_protection_rule` webhook payload that the gate uses. Everything else GitHub
 * sends (the deployment, pull requests, the sender…) is allowed and ignored.
 */
export const protectionRuleEventSchema = z.looseObject({
  action: z.string().max(64),
  environment: z.string().min(1).max(255),
  event: z.string().max(64).optional(),
  sha: z.string().max(64).optional(),
  ref: z.string().max(1024).optional(),
  deployment_callback_url: z.string().min(1).max(2048),
  repository: z.looseObject({
    id,
    name: repoName,
    full_name: z.string().max(141),
    owner: z.looseObject({ login: owner }),
  }),
  installation: z.looseObject({ id }),
  // Each attempt of a job gets a deployment of its own: its id tells a re-run from a redelivery.
  deployment: z.looseObject({ id }).nullish(),
});

/** A parsed `deployment_protection_rule` payload. */
export type ProtectionRuleEvent = z.infer<typeof protectionRuleEventSchema>;

/** Where a decision goes: the workflow run waiting on the environment, and the installation to act as. */
export interface ReviewTarget {
  readonly owner: string;
  readonly repo: string;
  readonly runId: string;
  readonly repositoryId: number;
  readonly installationId: number;
}

/** The first problem of a payload as a field path and a sentence, or the parsed payload. */
export function parseProtectionRuleEvent(
  raw: unknown,
): { event: ProtectionRuleEvent } | { field: string; message: string } {
  const result = protectionRuleEventSchema.safeParse(raw);
  if (result.success) return { event: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  if (field === 'installation' && typeof raw === 'object' && raw !== null && !('installation' in raw)) {
    return {
      field,
      message:
        "is missing: this delivery comes from a repository or organization webhook; deployment protection rules need the GitHub App's own webhook (set it in the App settings and remove the other)",
    };
  }
  return {
    field: field === '' ? '(body)' : field,
    message:
      field === ''
        ? 'the body must be a JSON object (a deployment_protection_rule payload)'
        : (issue?.message ?? 'invalid').replace(/^Invalid input: /, ''),
  };
}

/** The path of the review endpoint below the API base. */
export function reviewPath(target: Pick<ReviewTarget, 'owner' | 'repo' | 'runId'>): string {
  return `/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}/actions/runs/${target.runId}/deployment_protection_rule`;
}

const CALLBACK_PATH =
  /^\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/([1-9]\d{0,19})\/deployment_protection_rule$/;

/**
 * The run to review, taken from the payload's `deployment_callback_url` — the only place it gives the run id —
 * and accepted only when that URL is the review endpoint of the configured GitHub API for the payload's own
 * repository: same origin, the API's base path, `/repos/{owner}/{repo}/actions/runs/{run_id}/
 * deployment_protection_rule`, no query, credentials or fragment. The URL itself is never called: the caller
 * builds the request from the parts (an SSRF guard: a payload cannot point the provider anywhere else).
 */
export function parseReviewTarget(
  event: ProtectionRuleEvent,
  apiUrl: URL,
): { target: ReviewTarget } | { problem: string } {
  let url: URL;
  try {
    url = new URL(event.deployment_callback_url);
  } catch {
    return { problem: 'deployment_callback_url is not a URL' };
  }
  const base = apiUrl.pathname.replace(/\/+$/, '');
  if (
    url.origin !== apiUrl.origin ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    !url.pathname.startsWith(`${base}/`)
  ) {
    return {
      problem: `deployment_callback_url is not on the configured GitHub API (${apiUrl.origin}${base})`,
    };
  }
  const match = CALLBACK_PATH.exec(url.pathname.slice(base.length));
  const [, owner, repo, runId] = match ?? [];
  if (owner === undefined || repo === undefined || runId === undefined) {
    return { problem: 'deployment_callback_url is not a deployment_protection_rule review URL' };
  }
  const same = (a: string, b: string): boolean => {
    try {
      return decodeURIComponent(a).toLowerCase() === b.toLowerCase();
    } catch {
      return false;
    }
  };
  if (!same(owner, event.repository.owner.login) || !same(repo, event.repository.name)) {
    return { problem: "deployment_callback_url names another repository than the payload's" };
  }
  return {
    target: {
      owner: event.repository.owner.login,
      repo: event.repository.name,
      runId,
      repositoryId: event.repository.id,
      installationId: event.installation.id,
    },
  };
}
