import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { stringifySnippet, writePlainSnippet } from './snippet-yaml.js';

const podTemplate = (name: string, grace: number) => ({
  spec: {
    template: {
      spec: {
        readinessGates: [{ conditionType: 'target-health.elbv2.k8s.aws/k8s-team-0123456789' }],
        terminationGracePeriodSeconds: grace,
        containers: [{ name, lifecycle: { preStop: { sleep: { seconds: 35 } } } }],
      },
    },
  },
});

// Strings on both sides of the line between plain and quoted, in keys and in values.
const STRINGS = [
  'web',
  'app-1',
  'a_b.c/d=e',
  '/healthz',
  'alb.ingress.kubernetes.io/target-group-attributes',
  'deregistration_delay.timeout_seconds=30',
  '25%',
  '0',
  '007',
  '1e3',
  '0x1F',
  '.inf',
  '-1',
  '+1',
  'true',
  'False',
  'NULL',
  '~',
  'yes',
  'No',
  'on',
  'y',
  '',
  ' web',
  'web ',
  'a: b',
  'a #b',
  '#web',
  '-web',
  '--- web',
  '...',
  '@web',
  '*web',
  '&web',
  '!web',
  '%web',
  '"web"',
  "'web'",
  'a\nb',
  'tab\there',
  'é',
  'x'.repeat(300),
  `/${'long-path/'.repeat(30)}`,
];

const cases: { name: string; body: Record<string, unknown> }[] = [
  { name: 'a pod template fix', body: podTemplate('web', 50) },
  {
    name: 'a readiness probe fix',
    body: {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'api',
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
              },
            ],
          },
        },
      },
    },
  },
  {
    name: 'an annotation fix',
    body: {
      metadata: {
        annotations: {
          'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
        },
      },
    },
  },
  {
    name: 'a PodDisruptionBudget',
    body: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web', 'app.kubernetes.io/name': 'web' } } },
    },
  },
  {
    name: 'a TargetGroupConfiguration attribute list, values strings of digits',
    body: {
      spec: {
        defaultConfiguration: {
          targetType: 'ip',
          targetGroupAttributes: [
            { key: 'deregistration_delay.timeout_seconds', value: '30' },
            { key: 'slow_start.duration_seconds', value: '007' },
          ],
        },
      },
    },
  },
  { name: 'an empty selector', body: { spec: { selector: { matchLabels: {} } } } },
  { name: 'an empty list', body: { spec: { containers: [] } } },
  { name: 'an empty body', body: {} },
  { name: 'a list of scalars', body: { args: ['a', 'b'] } },
  { name: 'a list of lists', body: { args: [[{ a: 1 }]] } },
  {
    name: 'several items',
    body: {
      items: [
        { a: 1, b: { c: 2 } },
        { d: [{ e: 3 }], f: 4 },
      ],
    },
  },
  { name: 'an item whose first value is a mapping', body: { items: [{ a: { b: { c: 1 } }, d: 2 }] } },
  { name: 'numbers', body: { a: 0, b: -5, c: 1.5, d: -0, e: 2 ** 60, f: Number.NaN, g: Infinity } },
  { name: 'booleans and nulls', body: { a: true, b: false, c: null } },
  { name: 'an undefined value', body: { a: undefined, b: 1 } },
  { name: 'integer-like keys', body: { b: 1, 2: 'two', 1: 'one' } },
  ...STRINGS.map((text) => ({ name: `the string ${JSON.stringify(text)}`, body: { key: text } })),
  ...STRINGS.map((text) => ({ name: `the key ${JSON.stringify(text)}`, body: { [text]: 'value' } })),
  ...STRINGS.map((text) => ({ name: `the item ${JSON.stringify(text)}`, body: { list: [{ name: text }] } })),
];

describe('stringifySnippet', () => {
  it.each(cases)('$name → what yaml stringify writes', ({ body }) => {
    expect(stringifySnippet(body)).toBe(stringify(body, { lineWidth: 0 }));
  });

  // The shapes the rules' fixes have are written without `yaml` (the point of the fast path).
  it.each(cases.slice(0, 5))('$name → written without yaml', ({ body }) => {
    expect(writePlainSnippet(body)).toBe(stringify(body, { lineWidth: 0 }));
  });
});
