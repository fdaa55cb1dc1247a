import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { draingate } from './run.js';

const HOOK = join(import.meta.dirname, 'no-sdk-hook.mjs');

describe('offline commands start without the AWS SDK or the Kubernetes client', () => {
  it.each([
    { name: 'rules', args: ['rules'] },
    { name: 'validate', args: ['validate', 'examples/all-right/shop.yaml'] },
    { name: 'simulate', args: ['simulate', 'examples/all-right/shop.yaml'] },
    { name: 'explain', args: ['explain', 'DG001'] },
  ])('$name', async ({ args }) => {
    const run = await draingate(args, { env: { NODE_OPTIONS: `--import=${HOOK}` } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('the hook does catch a command that needs them', async () => {
    const run = await draingate(
      [
        'check',
        'target-health',
        '--target-group',
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef',
      ],
      {
        env: { NODE_OPTIONS: `--import=${HOOK}` },
      },
    );
    expect(run.stderr).toContain('offline command loaded @draingate/aws');
  });
});
