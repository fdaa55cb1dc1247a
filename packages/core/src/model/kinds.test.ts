import { describe, expect, it } from 'vitest';
import { parseManifests } from '../manifest/parse.js';
import { describeProvenance } from './provenance.js';
import { buildFacts } from './link.js';
import { createAllowances } from '../timing/model.js';
import { validateManifests } from '../validate.js';

function facts(text: string) {
  const parsed = parseManifests(text, 'in.yaml');
  const built = buildFacts(parsed.objects);
  return { ...built, problems: [...parsed.problems, ...built.problems] };
}

const daemonSet = (updateStrategy = '') => `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: edge, namespace: ingress }
spec:
  selector: { matchLabels: { app: edge } }
${updateStrategy}  template:
    metadata: { labels: { app: edge } }
    spec:
      containers:
        - name: proxy
          ports: [{ name: http, containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata:
  name: edge
  namespace: ingress
  annotations: { service.beta.kubernetes.io/aws-load-balancer-type: external }
spec:
  type: LoadBalancer
  selector: { app: edge }
  ports: [{ port: 80, targetPort: http }]
`;

describe('a DaemonSet is a workload', () => {
  it('behind an NLB Service it is load balanced, its pods serving', () => {
    const { facts: all, problems } = facts(daemonSet());
    expect(problems).toEqual([]);
    expect(all[0]?.workload.kind).toBe('DaemonSet');
    expect(all[0]?.backends.map((b) => [b.loadBalancer, b.servingContainers])).toEqual([['nlb', ['proxy']]]);
  });

  it('its rolling update defaults to maxUnavailable 1 and maxSurge 0, as Kubernetes does', () => {
    const strategy = facts(daemonSet()).facts[0]?.workload.strategy;
    expect(strategy).toMatchObject({
      type: 'RollingUpdate',
      maxSurge: { value: 0 },
      maxUnavailable: { value: 1 },
    });
    if (strategy?.type !== 'RollingUpdate') throw new Error('a rolling update');
    expect(describeProvenance(strategy.maxUnavailable.from)).toBe(
      "Kubernetes default: a DaemonSet's maxUnavailable is not set (1)",
    );
  });

  it('its pod count is not in the input: the assumption says so', () => {
    const replicas = facts(daemonSet()).facts[0]?.workload.replicas;
    expect(replicas?.value).toBe(3);
    expect(describeProvenance(replicas!.from)).toContain('one pod per eligible node');
  });

  it.each([
    {
      name: 'updateStrategy OnDelete replaces nothing by itself',
      strategy: '  updateStrategy: { type: OnDelete }\n',
      expected: { type: 'OnDelete' },
    },
    {
      name: 'maxSurge 1 and maxUnavailable 0 are read from the manifest',
      strategy: '  updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }\n',
      expected: { type: 'RollingUpdate', maxSurge: { value: 1 }, maxUnavailable: { value: 0 } },
    },
  ])('$name', ({ strategy, expected }) => {
    expect(facts(daemonSet(strategy)).facts[0]?.workload.strategy).toMatchObject(expected);
  });

  it.each([
    {
      name: 'an unknown updateStrategy type is a problem with its line',
      strategy: '  updateStrategy: { type: Recreate }\n',
      field: 'spec.updateStrategy.type',
      message: 'must be RollingUpdate or OnDelete, got "Recreate"',
    },
    {
      name: 'a maxUnavailable that is neither a count nor a percentage is a problem',
      strategy: '  updateStrategy: { rollingUpdate: { maxUnavailable: "half" } }\n',
      field: 'spec.updateStrategy.rollingUpdate.maxUnavailable',
      message: 'must be an integer or a percentage such as "25%", got "half"',
    },
  ])('$name', ({ strategy, field, message }) => {
    const { problems } = facts(daemonSet(strategy));
    expect(problems).toEqual([
      expect.objectContaining({
        field,
        message,
        object: 'DaemonSet ingress/edge',
        at: expect.objectContaining({ line: 6 }),
      }),
    ]);
  });
});

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 4
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web }] }
`;

const scaledObject = (spec: string, apiVersion = 'keda.sh/v1alpha1') => `---
apiVersion: ${apiVersion}
kind: ScaledObject
metadata: { name: web, namespace: shop }
spec:
${spec}`;

describe('a KEDA ScaledObject owns the replica count like an HPA', () => {
  it.each([
    {
      name: 'no minReplicaCount (0): a rollout under traffic starts from 1 pod',
      spec: '  scaleTargetRef: { name: web }\n',
      replicas: 1,
      source:
        'KEDA default: ScaledObject web sets no minReplicaCount (0: KEDA scales from 0 to 1 itself, so a rollout under traffic starts from 1)',
    },
    {
      name: 'minReplicaCount 0 written: the same',
      spec: '  scaleTargetRef: { name: web }\n  minReplicaCount: 0\n',
      replicas: 1,
      source:
        'KEDA default: ScaledObject web sets minReplicaCount 0 (KEDA scales from 0 to 1 itself, so a rollout under traffic starts from 1)',
    },
    {
      name: 'minReplicaCount 2: a rollout starts from 2',
      spec: '  scaleTargetRef: { kind: Deployment, name: web }\n  minReplicaCount: 2\n',
      replicas: 2,
      source: 'spec.minReplicaCount on ScaledObject shop/web (in.yaml:16:3)',
    },
  ])('$name', ({ spec, replicas, source }) => {
    const { facts: all, problems } = facts(deployment + scaledObject(spec));
    expect(problems).toEqual([]);
    expect(all[0]?.workload.replicas.value).toBe(replicas);
    expect(describeProvenance(all[0]!.workload.replicas.from)).toBe(source);
  });

  it('a ScaledObject of another workload changes nothing', () => {
    const { facts: all } = facts(deployment + scaledObject('  scaleTargetRef: { name: api }\n'));
    expect(all[0]?.workload.replicas.value).toBe(4);
  });

  it('a ScaledObject of another API group is not KEDA’s', () => {
    const { facts: all } = facts(
      deployment + scaledObject('  scaleTargetRef: { name: web }\n', 'example.com/v1'),
    );
    expect(all[0]?.workload.replicas.value).toBe(4);
  });

  it.each([
    {
      name: 'a scaleTargetRef without a name is a problem with its line',
      spec: '  scaleTargetRef: { kind: Deployment }\n',
      field: 'spec.scaleTargetRef.name',
      message: 'is required (the workload KEDA scales)',
    },
    {
      name: 'a minReplicaCount that is not a whole number is a problem',
      spec: '  scaleTargetRef: { name: web }\n  minReplicaCount: two\n',
      field: 'spec.minReplicaCount',
      message: expect.stringContaining('"two"'),
    },
  ])('$name', ({ spec, field, message }) => {
    const { problems, facts: all } = facts(deployment + scaledObject(spec));
    expect(problems).toEqual([expect.objectContaining({ field, message, object: 'ScaledObject shop/web' })]);
    expect(all[0]?.workload.replicas.value).toBe(4);
  });
});

describe('an autoscaler’s floor is what DG008 asks to raise', () => {
  const behindAlb = `---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop }
spec:
  ingressClassName: alb
  defaultBackend: { service: { name: web, port: { number: 80 } } }
`;
  it.each([
    {
      name: 'a KEDA ScaledObject at minReplicaCount 1 → set minReplicaCount to 2 on it',
      autoscaler: scaledObject('  scaleTargetRef: { name: web }\n  minReplicaCount: 1\n'),
      fix: '# ScaledObject shop/web\nspec:\n  minReplicaCount: 2\n',
      line: 28,
    },
    {
      name: 'an HPA at minReplicas 1 → set minReplicas to 2 on it',
      autoscaler: `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 1
  maxReplicas: 5
`,
      fix: '# HorizontalPodAutoscaler shop/web\nspec:\n  minReplicas: 2\n',
      line: 28,
    },
  ])('$name', ({ autoscaler, fix, line }) => {
    const text = deployment + behindAlb + autoscaler;
    const report = validateManifests([{ file: 'in.yaml', text }], { allowances: createAllowances() });
    const dg008 = report.findings.filter((finding) => finding.ruleId === 'DG008');
    expect(dg008.map((finding) => [finding.object.kind, finding.at?.line, finding.fix.yaml])).toEqual([
      [autoscaler.includes('ScaledObject') ? 'ScaledObject' : 'HorizontalPodAutoscaler', line, fix],
    ]);
  });
});

describe('Argo canary Services behind an ALB', () => {
  const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, ports: [{ name: http, containerPort: 8080 }] }] }
  strategy:
    canary:
      stableService: stable
      canaryService: canary
      trafficRouting: { alb: { ingress: web, servicePort: 8080, rootService: root } }
`;
  const service = (name: string, annotations = '{}') => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop, annotations: ${annotations} }
spec:
  selector: { app: web }
  ports: [{ name: main, port: 80, targetPort: http }, { name: alt, port: 8080, targetPort: http }]
`;
  const ingress = (annotations = '{}') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: shop, annotations: ${annotations} }
spec:
  ingressClassName: alb
  rules: [{ http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: root, port: { name: use-annotation } } } }] } }]
`;
  const backends = (text: string) =>
    facts(text).facts[0]?.backends.map((b) => `${b.service.ref.name}:${b.servicePort.port}:${b.route.kind}`);

  it.each([
    {
      name: 'the root Service’s use-annotation port is no target group; the canary twin folds into stable',
      text: rollout + service('root') + service('stable') + service('canary') + ingress(),
      expected: ['stable:8080:RolloutAlb'],
    },
    {
      name: 'a canary Service with settings of its own is a backend of its own',
      text:
        rollout +
        service('root') +
        service('stable') +
        service('canary', '{ alb.ingress.kubernetes.io/healthcheck-path: /canary }') +
        ingress(),
      expected: ['canary:8080:RolloutAlb', 'stable:8080:RolloutAlb'],
    },
    {
      name: 'the forward action Argo writes (kubectl get -o yaml) gives the same one backend',
      text:
        rollout +
        service('root') +
        service('stable') +
        service('canary') +
        ingress(
          `{ alb.ingress.kubernetes.io/actions.root: '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"canary","servicePort":"8080","weight":0},{"serviceName":"stable","servicePort":"8080","weight":100}]}}' }`,
        ),
      expected: ['stable:8080:Ingress'],
    },
    {
      name: 'a ping-pong canary: the ping Service stands for stable, the pong one for canary',
      text:
        rollout.replace(
          '      stableService: stable\n      canaryService: canary\n',
          '      pingPong: { pingService: stable, pongService: canary }\n',
        ) +
        service('root') +
        service('stable') +
        service('canary') +
        ingress(),
      expected: ['stable:8080:RolloutAlb'],
    },
  ])('$name', ({ text, expected }) => {
    expect(backends(text)?.sort()).toEqual(expected);
  });
});
