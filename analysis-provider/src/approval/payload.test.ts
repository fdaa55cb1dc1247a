import { describe, expect, it } from 'vitest';
import { aProtectionRuleEvent } from '../testing/github.js';
import type { EventShape } from '../testing/github.js';
import { parseProtectionRuleEvent, parseReviewTarget, reviewPath } from './payload.js';
import type { ProtectionRuleEvent } from './payload.js';

const api = new URL('https://api.github.com');

function eventOf(shape: EventShape): ProtectionRuleEvent {
  const parsed = parseProtectionRuleEvent(aProtectionRuleEvent(shape));
  if (!('event' in parsed)) throw new Error(parsed.message);
  return parsed.event;
}

describe('parseProtectionRuleEvent', () => {
  it('a payload as GitHub sends it parses', () => {
    expect(eventOf({}).environment).toBe('production');
  });

  it.each([
    { name: 'not an object → (body)', raw: [1, 2], field: '(body)' },
    {
      name: 'no installation → installation',
      raw: { ...aProtectionRuleEvent(), installation: undefined },
      field: 'installation',
    },
    {
      name: 'an empty environment → environment',
      raw: { ...aProtectionRuleEvent(), environment: '' },
      field: 'environment',
    },
    {
      name: 'a repository name with a slash → repository.name',
      raw: {
        ...aProtectionRuleEvent(),
        repository: { id: 1, name: 'a/b', full_name: 'x/a/b', owner: { login: 'x' } },
      },
      field: 'repository.name',
    },
  ])('$name', ({ raw, field }) => {
    const parsed = parseProtectionRuleEvent(raw);
    expect('field' in parsed && parsed.field).toBe(field);
  });
});

describe('parseReviewTarget: the callback URL is trusted only when it is the configured API', () => {
  it('the review URL of the payload repository gives owner, repo and run id', () => {
    const result = parseReviewTarget(eventOf({ runId: 99 }), api);
    expect(result).toEqual({
      target: { owner: 'shop', repo: 'web', runId: '99', repositoryId: 1296269, installationId: 77 },
    });
    expect('target' in result && reviewPath(result.target)).toBe(
      '/repos/shop/web/actions/runs/99/deployment_protection_rule',
    );
  });

  it('GitHub Enterprise Server: the API base path is kept', () => {
    const ghes = new URL('https://ghe.example.com/api/v3');
    const result = parseReviewTarget(eventOf({ apiUrl: 'https://ghe.example.com/api/v3' }), ghes);
    expect('target' in result).toBe(true);
  });

  it.each([
    {
      name: 'another host',
      url: 'https://evil.example.com/repos/shop/web/actions/runs/1/deployment_protection_rule',
    },
    {
      name: 'plain http',
      url: 'http://api.github.com/repos/shop/web/actions/runs/1/deployment_protection_rule',
    },
    {
      name: 'another port',
      url: 'https://api.github.com:8443/repos/shop/web/actions/runs/1/deployment_protection_rule',
    },
    {
      name: 'credentials',
      url: 'https://u:p@api.github.com/repos/shop/web/actions/runs/1/deployment_protection_rule',
    },
    {
      name: 'a query',
      url: 'https://api.github.com/repos/shop/web/actions/runs/1/deployment_protection_rule?x=1',
    },
    { name: 'another endpoint', url: 'https://api.github.com/repos/shop/web/actions/runs/1/approve' },
    { name: 'a path escape', url: 'https://api.github.com/repos/shop/web/actions/runs/1/../../../../user' },
    {
      name: 'another repository',
      url: 'https://api.github.com/repos/other/web/actions/runs/1/deployment_protection_rule',
    },
    {
      name: 'not a run id',
      url: 'https://api.github.com/repos/shop/web/actions/runs/0x1/deployment_protection_rule',
    },
    { name: 'not a URL', url: 'repos/shop/web' },
  ])('$name → refused', ({ url }) => {
    expect(parseReviewTarget(eventOf({ callbackUrl: url }), api)).toHaveProperty('problem');
  });
});
