import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAllowances } from './timing/model.js';
import { validateManifests } from './validate.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples');

function ruleIds(file: string): string[] {
  const report = validateManifests([{ file, text: readFileSync(join(EXAMPLES, file), 'utf8') }], {
    allowances: createAllowances(),
  });
  expect(report.problems).toEqual([]);
  return [...new Set(report.findings.map((f) => `${f.ruleId}:${f.severity}`))].sort();
}

describe('the bundled examples get the findings their failures call for', () => {
  const cases = [
    {
      name: 'reference 000 broken: pods exit on SIGTERM with no preStop',
      file: 'reference-000-preset/broken.yaml',
      expected: ['DG001:error', 'DG005:warning', 'DG006:warning', 'DG009:warning'],
    },
    {
      name: 'reference 000 fixed: no error left, the 300 s delay still warned',
      file: 'reference-000-preset/fixed.yaml',
      expected: ['DG003:warning', 'DG005:warning', 'DG006:warning', 'DG009:warning', 'DG013:info'],
    },
    {
      name: 'reference 001 broken: no gate, no preStop, 25 % surge',
      file: 'reference-001-2048/broken.yaml',
      expected: [
        'DG001:error',
        'DG005:warning',
        'DG006:error',
        'DG009:warning',
        'DG010:warning',
        'DG014:warning',
      ],
    },
    {
      name: 'reference 001 fixed: gate and sleep 40, 300 s delay still warned',
      file: 'reference-001-2048/fixed.yaml',
      expected: ['DG003:warning', 'DG005:warning', 'DG010:warning', 'DG013:info', 'DG014:warning'],
    },
    {
      name: 'reference 002 broken: a gate, but pods exit while targets drain',
      file: 'reference-002-draining-504/broken.yaml',
      expected: ['DG002:error', 'DG005:warning'],
    },
    {
      name: 'reference 002 fixed: grace > preStop ≥ deregistration delay',
      file: 'reference-002-draining-504/fixed.yaml',
      expected: [],
    },
    { name: 'the all-right example', file: 'all-right/shop.yaml', expected: [] },
    {
      name: 'Gateway API broken: no preStop, no gate, defaults, a healthCheckConfig that drops the platform’s',
      file: 'gateway-api/broken.yaml',
      expected: [
        'DG001:error',
        'DG005:warning',
        'DG006:error',
        'DG007:warning',
        'DG009:warning',
        'DG014:warning',
        'DG019:warning',
      ],
    },
    {
      name: 'Gateway API fixed: ALB and NLB Gateway routes right',
      file: 'gateway-api/fixed.yaml',
      expected: [],
    },
    {
      name: 'the Argo canary example: ALB routing, injected readiness gates, drain timing right',
      file: 'argo/rollout.yaml',
      expected: [],
    },
    {
      name: 'the Argo blue-green example: active and preview target groups, drain timing right',
      file: 'argo/rollout-bluegreen.yaml',
      expected: [],
    },
  ];
  it.each(cases)('$name', ({ file, expected }) => {
    expect(ruleIds(file)).toEqual(expected);
  });

  it.each(['gateway-api/broken.yaml', 'gateway-api/fixed.yaml'])(
    '%s judges both workloads through their Gateway routes, none skipped',
    (file) => {
      const report = validateManifests([{ file, text: readFileSync(join(EXAMPLES, file), 'utf8') }], {
        allowances: createAllowances(),
      });
      expect(report.skippedWorkloads).toEqual([]);
      expect(report.workloads.map((w) => `${w.namespace}/${w.name}`)).toEqual([
        'shop/web',
        'shop/orders-db-proxy',
      ]);
    },
  );

  it.each(['argo/rollout.yaml', 'argo/rollout-bluegreen.yaml'])(
    '%s is judged as a load-balanced Rollout, not skipped as one without a load balancer',
    (file) => {
      const report = validateManifests([{ file, text: readFileSync(join(EXAMPLES, file), 'utf8') }], {
        allowances: createAllowances(),
      });
      expect(report.skippedWorkloads).toEqual([]);
      expect(report.workloads.map((w) => w.kind)).toEqual(['Rollout']);
    },
  );
});
