import { describe, expect, it } from 'vitest';
import { aFixedClock } from '@draingate/core/testing';
import { appKeyPair } from '../testing/github.js';
import { GitHubApiError, GitHubApp } from './github-client.js';
import type { ReviewTarget } from './payload.js';

const target: ReviewTarget = { owner: 'shop', repo: 'web', runId: '9', repositoryId: 5, installationId: 77 };
const review = { environmentName: 'production', state: 'approved', comment: 'ok' } as const;

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script per path suffix and records every call. */
function scriptedFetch(script: Record<'token' | 'review', Reply[]>) {
  const calls: { url: string; authorization: string; body: unknown }[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    calls.push({
      url,
      authorization: headers.get('authorization') ?? '',
      body: JSON.parse(String(init?.body)),
    });
    const queue = url.endsWith('/access_tokens') ? script.token : script.review;
    const reply = queue.shift() ?? { status: 500 };
    if (reply instanceof Error) throw reply;
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      ...(reply.headers ? { headers: reply.headers } : {}),
    });
  };
  return { calls, fetchFn: fetchFn as typeof fetch };
}

function token(name: string, expiresAt = '2026-01-01T13:00:00Z'): Reply {
  return { status: 201, body: { token: name, expires_at: expiresAt } };
}

function anApp(fetchFn: typeof fetch, clock = aFixedClock('2026-01-01T12:00:00Z')): GitHubApp {
  return new GitHubApp({
    appId: '123',
    privateKey: appKeyPair().privateKey,
    apiUrl: new URL('https://api.github.com'),
    clock,
    fetch: fetchFn,
    baseDelayMs: 1,
    maxAttempts: 3,
  });
}

describe('GitHubApp', () => {
  it('a JWT buys a narrowed installation token, which authorizes the review', async () => {
    const { calls, fetchFn } = scriptedFetch({ token: [token('ghs_one')], review: [{ status: 204 }] });
    await anApp(fetchFn).sendReview(target, review);
    expect(calls.map((c) => c.url)).toEqual([
      'https://api.github.com/app/installations/77/access_tokens',
      'https://api.github.com/repos/shop/web/actions/runs/9/deployment_protection_rule',
    ]);
    expect(calls[0]?.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(calls[0]?.body).toEqual({ repository_ids: [5], permissions: { deployments: 'write' } });
    expect(calls[1]?.authorization).toBe('Bearer ghs_one');
    expect(calls[1]?.body).toEqual({ environment_name: 'production', state: 'approved', comment: 'ok' });
  });

  it('the token is reused until 5 minutes before it expires, then renewed', async () => {
    const clock = aFixedClock('2026-01-01T12:00:00Z');
    const { calls, fetchFn } = scriptedFetch({
      token: [token('ghs_one'), token('ghs_two', '2026-01-01T14:00:00Z')],
      review: [{ status: 204 }, { status: 204 }, { status: 204 }],
    });
    const app = anApp(fetchFn, clock);
    await app.sendReview(target, review);
    clock.set('2026-01-01T12:54:00Z');
    await app.sendReview(target, review);
    clock.set('2026-01-01T12:56:00Z');
    await app.sendReview(target, review);
    expect(calls.filter((c) => c.url.endsWith('/access_tokens'))).toHaveLength(2);
    expect(calls.at(-1)?.authorization).toBe('Bearer ghs_two');
  });

  it('5xx, 429 and network errors are retried', async () => {
    const { calls, fetchFn } = scriptedFetch({
      token: [new TypeError('fetch failed'), token('ghs_one')],
      review: [{ status: 502 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 204 }],
    });
    await anApp(fetchFn).sendReview(target, review);
    expect(calls).toHaveLength(5);
  });

  it('a 401 on the review renews the token once', async () => {
    const { calls, fetchFn } = scriptedFetch({
      token: [token('ghs_old'), token('ghs_new')],
      review: [{ status: 401, body: { message: 'Bad credentials' } }, { status: 204 }],
    });
    await anApp(fetchFn).sendReview(target, review);
    expect(calls.at(-1)?.authorization).toBe('Bearer ghs_new');
  });

  it.each([
    {
      name: 'a 422 is not retried',
      replies: [{ status: 422, body: { message: 'No pending protection rule' } }],
      calls: 2,
      status: 422,
      retryable: false,
    },
    {
      name: '5xx every time: retried, then thrown',
      replies: [{ status: 503 }, { status: 503 }, { status: 503 }],
      calls: 4,
      status: 503,
      retryable: true,
    },
  ])('$name', async ({ replies, calls: expected, status, retryable }) => {
    const { calls, fetchFn } = scriptedFetch({ token: [token('ghs_one')], review: [...replies] });
    const error = await anApp(fetchFn)
      .sendReview(target, review)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error).toMatchObject({ status, retryable, operation: 'ReviewCustomGatesForRun' });
    expect(calls).toHaveLength(expected);
  });
});
