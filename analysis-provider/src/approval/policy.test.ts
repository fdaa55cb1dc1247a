import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LB_ARN, TG_ARN } from '../testing/harness.js';
import { findEnvironmentPolicy, parseApprovalPolicy, toCheckInput } from './policy.js';

const good = `
unknownEnvironments: ignore
environments:
  production:
    repositories: [shop/*]
    observeSeconds: 300
    onUpstreamError: retry
    retry: { attempts: 4, delaySeconds: 20 }
    checks:
      - check: elb-5xx
        loadBalancerArn: ${LB_ARN}
        targetGroupArns: [${TG_ARN}]
        maxRate: 0.01
        baselineMinutes: 10
      - check: target-health
        targetGroupArn: ${TG_ARN}
        namespace: shop
        selector: { app: web }
  Staging:
    checks:
      - { check: drain-timing, namespace: shop, name: web }
`;

describe('parseApprovalPolicy', () => {
  it('a sound policy parses, with defaults where nothing is said', () => {
    const { policy, errors } = parseApprovalPolicy(good, 'policy.yaml');
    expect(errors).toEqual([]);
    expect(policy?.unknownEnvironments).toBe('ignore');
    const production = policy?.environments.get('production');
    expect(production).toMatchObject({
      observeSeconds: 300,
      onUpstreamError: 'retry',
      retry: { attempts: 4, delaySeconds: 20 },
      onInconclusive: 'reject',
    });
    expect(production?.checks.map((c) => c.check)).toEqual(['elb-5xx', 'target-health']);
    expect(policy?.environments.get('staging')).toMatchObject({
      name: 'Staging',
      observeSeconds: 60,
      onUpstreamError: 'reject',
    });
  });

  it.each([
    { name: 'not YAML', text: 'environments: [', error: /^p\.yaml: not YAML/ },
    {
      name: 'no environment',
      text: 'environments: {}',
      error: 'p.yaml: environments: must name at least one environment',
    },
    {
      name: 'an unknown top-level key',
      text: 'environment: {}',
      error: /^p\.yaml: is not a setting \(environment\)/,
    },
    {
      name: 'an unknown check',
      text: 'environments: { prod: { checks: [ { check: error-budget } ] } }',
      error:
        'p.yaml: environments.prod.checks[0].check: must be one of elb-5xx, target-health, drain-timing, canary, latency, got "error-budget"',
    },
    {
      name: 'a threshold out of range',
      text: `environments: { prod: { checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}", maxRate: 2 } ] } }`,
      error:
        'p.yaml: environments.prod.checks[0].maxRate: must be a rate from 0 to 1 such as 1% or 0.01, got 2',
    },
    {
      name: 'status comments more often than a minute',
      text: `environments: { prod: { interimEverySeconds: 30, checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}" } ] } }`,
      error: 'p.yaml: environments.prod.interimEverySeconds: must be 0 (off) or 60–3600',
    },
    {
      name: 'a deadline shorter than observation and retries',
      text: `environments: { prod: { observeSeconds: 3000, onUpstreamError: retry, retry: { attempts: 3, delaySeconds: 600 }, deadlineMinutes: 60, checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}" } ] } }`,
      error:
        'p.yaml: environments.prod.deadlineMinutes: 60 min leaves no time to decide: observation and retries take 4200 s',
    },
    {
      name: 'a missing parameter',
      text: 'environments: { prod: { checks: [ { check: elb-5xx, maxRate: 0.1 } ] } }',
      error: 'p.yaml: environments.prod.checks[0].loadBalancerArn: is required',
    },
    {
      name: 'a malformed ARN',
      text: 'environments: { prod: { checks: [ { check: target-health, targetGroupArn: "tg-1" } ] } }',
      error: /^p\.yaml: environments\.prod\.checks\[0\]\.targetGroupArn: must be a target group ARN/,
    },
    {
      name: 'a cross-field rule (namespace without selector)',
      text: `environments: { prod: { checks: [ { check: target-health, targetGroupArn: "${TG_ARN}", namespace: shop } ] } }`,
      error: 'p.yaml: environments.prod.checks[0].selector: is required with namespace',
    },
    {
      name: 'deployedAt, which the gate sets',
      text: `environments: { prod: { checks: [ { check: elb-5xx, loadBalancerArn: "${LB_ARN}", deployedAt: "2026-01-01T00:00:00Z" } ] } }`,
      error: /checks\[0\]\.deployedAt: is set by the gate/,
    },
    {
      name: 'no checks',
      text: 'environments: { prod: { checks: [] } }',
      error: 'p.yaml: environments.prod.checks: must list at least one check',
    },
    {
      name: 'an observation longer than an hour',
      text: 'environments: { prod: { observeSeconds: 7200, checks: [ { check: drain-timing, namespace: a, name: b } ] } }',
      error: 'p.yaml: environments.prod.observeSeconds: Too big: expected number to be <=3600',
    },
    {
      name: 'a bad onUpstreamError',
      text: 'environments: { prod: { onUpstreamError: wait, checks: [ { check: drain-timing, namespace: a, name: b } ] } }',
      error: /^p\.yaml: environments\.prod\.onUpstreamError: /,
    },
    {
      name: 'an environment named twice',
      text: 'environments: { prod: { checks: [ { check: drain-timing, namespace: a, name: b } ] }, PROD: { checks: [ { check: drain-timing, namespace: a, name: b } ] } }',
      error: /environments\.PROD: is named twice/,
    },
    {
      name: 'a repository pattern without owner',
      text: 'environments: { prod: { repositories: [web], checks: [ { check: drain-timing, namespace: a, name: b } ] } }',
      error:
        'p.yaml: environments.prod.repositories[0]: must be owner/repo (a * matches any run of characters)',
    },
  ])('$name → a precise error', ({ text, error }) => {
    const { policy, errors } = parseApprovalPolicy(text, 'p.yaml');
    expect(policy).toBeUndefined();
    if (typeof error === 'string') expect(errors).toContain(error);
    else
      expect(
        errors.some((e) => error.test(e)),
        errors.join('\n'),
      ).toBe(true);
  });
});

describe('findEnvironmentPolicy', () => {
  const { policy } = parseApprovalPolicy(good, 'policy.yaml');
  if (!policy) throw new Error('the policy must parse');

  it.each([
    { name: 'a listed repository', env: 'production', repo: 'shop/web', found: true },
    { name: 'names compare case-insensitively', env: 'PRODUCTION', repo: 'Shop/Web', found: true },
    {
      name: 'a repository the environment does not admit',
      env: 'production',
      repo: 'other/web',
      found: false,
    },
    {
      name: 'an environment without a repository list admits any',
      env: 'staging',
      repo: 'other/web',
      found: true,
    },
    { name: 'an unknown environment', env: 'qa', repo: 'shop/web', found: false },
  ])('$name', ({ env, repo, found }) => {
    expect(findEnvironmentPolicy(policy, env, repo) !== undefined).toBe(found);
  });
});

describe('toCheckInput', () => {
  it('a baseline ends when GitHub asked', () => {
    const { policy } = parseApprovalPolicy(good, 'policy.yaml');
    const check = policy?.environments.get('production')?.checks[0];
    if (!check) throw new Error('no check');
    const at = new Date('2026-01-01T12:00:00Z');
    const input = toCheckInput(check, at);
    expect(input.check === 'elb-5xx' && input.body.deployedAt).toBe('2026-01-01T12:00:00.000Z');
  });
});

describe('examples/approval/policy.yaml', () => {
  it('is a sound policy', () => {
    const path = new URL('../../../examples/approval/policy.yaml', import.meta.url);
    const { policy, errors } = parseApprovalPolicy(
      readFileSync(path, 'utf8'),
      'examples/approval/policy.yaml',
    );
    expect(errors).toEqual([]);
    expect([...(policy?.environments.keys() ?? [])]).toEqual(['production', 'staging']);
  });
});
