import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CANARY_DEFAULTS } from '../checks/canary.js';
import { ELB_5XX_DEFAULTS } from '../checks/elb-5xx.js';
import { GATE_DEFAULTS } from '../rollout-gate/watch.js';
import { renderParameterDocs } from './docs.js';
import { defaultOf, ParameterError, readParameters } from './parameter.js';
import { CANARY_PARAMETERS, ELB_5XX_PARAMETERS, GATE_PARAMETERS, PARAMETER_TABLES } from './tables.js';

describe('the parameter tables', () => {
  it.each(Object.entries(PARAMETER_TABLES).map(([name, table]) => ({ name, table })))(
    '$name: names are kebab-case, fields camelCase, both unique; every default fits its grammar',
    ({ table }) => {
      expect(new Set(table.map((p) => p.name)).size).toBe(table.length);
      expect(new Set(table.map((p) => p.field)).size).toBe(table.length);
      for (const parameter of table) {
        expect(parameter.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(parameter.field).toMatch(/^[a-z][A-Za-z0-9]*$/);
        expect(parameter.description).not.toMatch(/\.$/);
        expect(() => defaultOf(parameter)).not.toThrow();
      }
    },
  );

  it('the defaults are the checks’ and the gate’s own', () => {
    const defaults = (table: typeof ELB_5XX_PARAMETERS) =>
      Object.fromEntries(table.map((p) => [p.field, defaultOf(p)]).filter(([, v]) => v !== undefined));
    expect(defaults(ELB_5XX_PARAMETERS)).toEqual({
      ...ELB_5XX_DEFAULTS,
      includeIncomplete: false,
      splitElbCodes: false,
    });
    expect(defaults(CANARY_PARAMETERS)).toEqual({ ...CANARY_DEFAULTS, includeIncomplete: false });
    expect(defaults(GATE_PARAMETERS)).toMatchObject({
      timeoutSeconds: GATE_DEFAULTS.timeoutSeconds,
      pollIntervalSeconds: GATE_DEFAULTS.pollIntervalSeconds,
      metricsIntervalSeconds: GATE_DEFAULTS.metricsIntervalSeconds,
      settleSeconds: GATE_DEFAULTS.settleSeconds,
      failAfterPolls: GATE_DEFAULTS.failAfterPolls,
      maxErrorRate: ELB_5XX_DEFAULTS.maxRate,
      minRequests: ELB_5XX_DEFAULTS.minRequests,
      minHealthy: 1,
      onFailure: 'none',
      dryRun: false,
      namespace: 'default',
    });
  });

  it('readParameters applies defaults and names the first bad value', () => {
    expect(readParameters(GATE_PARAMETERS, 'action', (p) => ({ timeout: '2m' })[p.name])).toMatchObject({
      timeoutSeconds: 120,
      settleSeconds: 60,
    });
    const bad = () => readParameters(GATE_PARAMETERS, 'action', (p) => ({ settle: '-1' })[p.name]);
    expect(bad).toThrow(ParameterError);
    expect(bad).toThrow('settle: must be a duration such as 90s, 10m or 1h, got "-1"');
  });

  it('offers the sequential method on the CLI and the provider, and not in the Action', () => {
    expect(readParameters(CANARY_PARAMETERS, 'provider', () => undefined)['method']).toBe('fisher');
    expect(readParameters(CANARY_PARAMETERS, 'cli', () => undefined)['method']).toBe('fisher');
    expect(Object.keys(readParameters(CANARY_PARAMETERS, 'action', () => undefined))).not.toContain('since');
  });
});

describe('docs/parameters.md', () => {
  it('matches the parameter tables (run `npm run docs` after changing one)', () => {
    const path = join(import.meta.dirname, '../../../../docs/parameters.md');
    expect(readFileSync(path, 'utf8')).toBe(renderParameterDocs());
  });
});
