import { describe, expect, it } from 'vitest';
import { offeredOn } from '@draingate/core';
import { createOpenApiDocument } from './openapi.js';
import { coerceBody, parseCheckInput } from './parse-input.js';
import { CHECK_NAMES, CHECK_PARAMETERS, CHECK_SCHEMAS } from './schemas.js';

const TARGETS = {
  'elb-5xx': ['loadBalancerArn', 'targetGroupArns'],
  'target-health': ['targetGroupArn', 'namespace', 'selector'],
  'drain-timing': ['namespace', 'name', 'kind'],
  canary: ['loadBalancerArn', 'canaryTargetGroupArn', 'stableTargetGroupArn', 'namespace', 'selector'],
  latency: ['loadBalancerArn', 'canaryTargetGroupArn', 'stableTargetGroupArn', 'namespace', 'selector'],
} as const;
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/0123456789abcdef';
const NOW = new Date('2026-12-06T12:00:00Z');

describe('request schemas derived from the parameter tables', () => {
  it.each(CHECK_NAMES.map((check) => ({ check })))(
    '$check: its fields are its targets and the table’s provider parameters, nothing else',
    ({ check }) => {
      const tunables = CHECK_PARAMETERS[check].filter((p) => offeredOn(p, 'provider')).map((p) => p.field);
      expect(Object.keys(CHECK_SCHEMAS[check].shape).sort()).toEqual([...TARGETS[check], ...tunables].sort());
    },
  );

  it.each([
    { name: 'a percentage as text', body: { maxRate: '0.5%' }, field: 'maxRate', value: 0.005 },
    { name: 'a window as a duration', body: { windowMinutes: '1h' }, field: 'windowMinutes', value: 60 },
    { name: 'a window as bare minutes', body: { windowMinutes: '15' }, field: 'windowMinutes', value: 15 },
    { name: 'a JSON number', body: { minRequests: 50 }, field: 'minRequests', value: 50 },
    { name: 'a boolean as text', body: { splitElbCodes: 'true' }, field: 'splitElbCodes', value: true },
  ])('elb-5xx accepts $name', ({ body, field, value }) => {
    const input = parseCheckInput('elb-5xx', coerceBody('elb-5xx', { loadBalancerArn: LB, ...body }), NOW);
    expect((input.body as Record<string, unknown>)[field]).toBe(value);
  });

  it.each([
    { body: { maxRate: 2 }, message: 'must be a rate from 0 to 1 such as 1% or 0.01, got 2' },
    {
      body: { windowMinutes: 1.5 },
      message: "must be whole minutes (CloudWatch's periods), got 1.5 minutes",
    },
    { body: { minRequests: -1 }, message: 'must be a whole number from 0 to 1000000000000, got -1' },
    {
      body: { belowMinimum: 'Error' },
      message: 'must be one of Successful, Failed, Inconclusive, got "Error"',
    },
  ])(
    'a JSON value out of bounds, unparsed by coercion, is refused in the grammar’s words: $message',
    ({ body, message }) => {
      expect(() => parseCheckInput('elb-5xx', { loadBalancerArn: LB, ...body }, NOW)).toThrow(message);
    },
  );

  it('the OpenAPI document shows each field’s bounds, help and its text form', () => {
    const doc = createOpenApiDocument() as {
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    const maxRate = doc.components.schemas['Elb5xxRequest']?.properties['maxRate'];
    expect(maxRate).toEqual({
      description:
        'fail above this 5xx rate: (ELB 5xx + target 5xx) / requests [a rate from 0 to 1 (1% or 0.01)] (default 1%)',
      anyOf: [
        { type: 'number', minimum: 0, maximum: 1 },
        { type: 'string', description: 'The same value as text: a rate from 0 to 1 (1% or 0.01).' },
      ],
    });
    const window = doc.components.schemas['CanaryRequest']?.properties['windowMinutes'];
    expect((window?.['anyOf'] as unknown[])[0]).toEqual({ type: 'integer', minimum: 1, maximum: 1440 });
  });
});
