import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';

/** An Argo Rollout behind an ALB with ip targets, deregistration delay D and the given scaleDownDelaySeconds. */
function rollout(
  strategy: 'canary' | 'blueGreen',
  delay: number,
  scaleDown: number | undefined,
  preStop = 0,
): string {
  const services = strategy === 'canary' ? ['web-stable', 'web-canary'] : ['web-active', 'web-preview'];
  const docs = [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        strategy:
          strategy === 'canary'
            ? {
                canary: {
                  stableService: services[0],
                  canaryService: services[1],
                  trafficRouting: { alb: { ingress: 'web', servicePort: 80 } },
                  ...(scaleDown === undefined ? {} : { scaleDownDelaySeconds: scaleDown }),
                },
              }
            : {
                blueGreen: {
                  activeService: services[0],
                  previewService: services[1],
                  ...(scaleDown === undefined ? {} : { scaleDownDelaySeconds: scaleDown }),
                },
              },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: preStop + 30,
            containers: [
              {
                name: 'web',
                ports: [{ name: 'http', containerPort: 8080 }],
                ...(preStop > 0 ? { lifecycle: { preStop: { sleep: { seconds: preStop } } } } : {}),
              },
            ],
          },
        },
      },
    },
    ...services.map((name) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
    })),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'web',
        namespace: 'shop',
        annotations: {
          'alb.ingress.kubernetes.io/target-type': 'ip',
          'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${delay}`,
        },
      },
      spec: {
        ingressClassName: 'alb',
        defaultBackend: {
          service: {
            name: services[0],
            port: strategy === 'canary' ? { name: 'use-annotation' } : { number: 80 },
          },
        },
      },
    },
  ];
  return docs.map((doc) => stringify(doc)).join('---\n');
}

function dg016(text: string, propagation: number) {
  const allowances = createAllowances({
    propagationSeconds: { value: propagation, from: { kind: 'setting', setting: 'test' } },
  });
  const report = validateManifests([{ file: 'in.yaml', text }], { allowances });
  expect(report.problems).toEqual([]);
  return report.findings.filter((finding) => finding.ruleId === 'DG016');
}

describe('DG016 over a sweep of delays', () => {
  it.each(['canary', 'blueGreen'] as const)(
    '%s: fires exactly when scaleDownDelaySeconds + preStop < D, and its fix makes it quiet',
    (strategy) => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 3600 }),
          fc.integer({ min: 0, max: 120 }),
          fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
          fc.integer({ min: 0, max: 200 }),
          (delay, propagation, scaleDown, preStop) => {
            const findings = dg016(rollout(strategy, delay, scaleDown, preStop), propagation);
            const effective = scaleDown ?? 30;
            expect(findings.length).toBe(effective + preStop < delay ? 1 : 0);
            if (findings.length === 0) return;
            // The fix proposes exactly D − P, and a Rollout that applies it is quiet.
            expect(findings[0]?.fix.summary).toBe(`set scaleDownDelaySeconds to ${delay - preStop}`);
            expect(dg016(rollout(strategy, delay, delay - preStop, preStop), propagation)).toEqual([]);
          },
        ),
        { numRuns: 60 },
      );
    },
  );
});
