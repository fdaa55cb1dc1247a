import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { PolicySource } from './policy-source.js';
import { parseApprovalPolicy } from './policy.js';

const ELB =
  '{ check: elb-5xx, loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef" }';
const v1 = `environments:\n  production: { observeSeconds: 60, checks: [ ${ELB} ] }\n`;
const v2 = `environments:\n  production: { observeSeconds: 30, checks: [ ${ELB} ] }\n  staging: { checks: [ ${ELB} ] }\n`;

describe('the approval policy, re-read while running', () => {
  function aSource(): { source: PolicySource; files: { text: string }; logs: Record<string, unknown>[] } {
    const initial = parseApprovalPolicy(v1, 'policy.yaml').policy;
    if (!initial) throw new Error('bad fixture');
    const files = { text: v1 };
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger(
      { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
      'debug',
    );
    return {
      source: new PolicySource(initial, 'policy.yaml', logger, () => Promise.resolve(files.text)),
      files,
      logs,
    };
  }

  it('a valid new version replaces the old one, and says so', async () => {
    const { source, files, logs } = aSource();
    await source.reload();
    files.text = v2;
    await source.reload();
    expect(source.current.environments.get('production')?.observeSeconds).toBe(30);
    expect([...source.current.environments.keys()]).toEqual(['production', 'staging']);
    expect(logs.at(-1)).toMatchObject({
      msg: 'approval policy reloaded',
      environments: ['production', 'staging'],
    });
  });

  it('a broken version keeps the old one and is logged once with its problems', async () => {
    const { source, files, logs } = aSource();
    await source.reload();
    files.text = 'environments:\n  production: { observeSeconds: -1, checks: [] }\n';
    await source.reload();
    await source.reload();
    expect(source.current.environments.get('production')?.observeSeconds).toBe(60);
    const errors = logs.filter((l) => l['level'] === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'approval policy NOT reloaded: the new version has problems; the old one stays',
      problems: [
        'policy.yaml: environments.production.observeSeconds: Too small: expected number to be >=0',
        'policy.yaml: environments.production.checks: must list at least one check',
      ],
    });
  });

  it('an unreadable file keeps the old one', async () => {
    const { source, logs } = aSource();
    const broken = new PolicySource(
      source.current,
      'gone.yaml',
      createLogger({ write: (l: string) => logs.push(JSON.parse(l) as Record<string, unknown>) }, 'debug'),
      () => Promise.reject(Object.assign(new Error('no'), { code: 'ENOENT' })),
    );
    await broken.reload();
    expect(broken.current).toBe(source.current);
    expect(logs.at(-1)).toMatchObject({ level: 'warn', path: 'gone.yaml', error: 'ENOENT' });
  });
});
