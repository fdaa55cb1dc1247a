import { describe, expect, it } from 'vitest';
import { parseManifests } from '../manifest/parse.js';
import { buildFacts } from './link.js';

function facts(text: string) {
  const parsed = parseManifests(text, 'in.yaml');
  const built = buildFacts(parsed.objects);
  return { ...built, problems: [...parsed.problems, ...built.problems] };
}

const deployment = (extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, tier: front } }
    spec:
      containers:
        - name: web
          ports: [{ name: http, containerPort: 8080 }]
        - name: metrics
          ports: [{ name: prom, containerPort: 9090 }]
${extra}`;

const service = (name: string, targetPort: string | number, annotations = '{}') => `---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: shop, annotations: ${annotations} }
spec:
  selector: { app: web }
  ports: [{ name: main, port: 80, targetPort: ${targetPort} }]
`;

const ingress = (name: string, svc: string, annotations = '{}', extra = '') => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${name}, namespace: shop, annotations: ${annotations} }
spec:
  ingressClassName: alb
  rules: [{ http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: ${svc}, port: { number: 80 } } } }] } }]
${extra}`;

describe('linking workloads to their load balancers', () => {
  it('a named targetPort selects the container that declares the port name', () => {
    const {
      facts: [f],
    } = facts(deployment() + service('web', 'http') + ingress('web', 'web'));
    expect(f?.backends.map((b) => b.servingContainers)).toEqual([['web']]);
  });

  it('a numeric targetPort selects the container that declares the port number', () => {
    const {
      facts: [f],
    } = facts(deployment() + service('web', 9090) + ingress('web', 'web'));
    expect(f?.backends[0]?.servingContainers).toEqual(['metrics']);
  });

  it('several Services and Ingresses give one backend each', () => {
    const {
      facts: [f],
    } = facts(
      deployment() +
        service('a', 'http') +
        service('b', 'http') +
        ingress('ia', 'a') +
        ingress('ib', 'b') +
        ingress('ib2', 'b'),
    );
    expect(f?.backends.map((b) => `${b.service.ref.name}<-${b.routeRef.name}`).sort()).toEqual([
      'a<-ia',
      'b<-ib',
      'b<-ib2',
    ]);
  });

  it('an Ingress of another class does not make a workload ALB-backed', () => {
    const text =
      deployment() +
      service('web', 'http') +
      ingress('web', 'web').replace('ingressClassName: alb', 'ingressClassName: nginx');
    expect(facts(text).facts[0]?.backends).toEqual([]);
  });

  it('an IngressClass whose controller is ingress.k8s.aws/alb counts, whatever its name', () => {
    const text =
      deployment() +
      service('web', 'http') +
      ingress('web', 'web').replace('ingressClassName: alb', 'ingressClassName: internal') +
      '---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: internal }\nspec: { controller: ingress.k8s.aws/alb }\n';
    expect(facts(text).facts[0]?.backends).toHaveLength(1);
  });

  it('the Service annotation overrides the Ingress annotation', () => {
    const text =
      deployment() +
      service(
        'web',
        'http',
        '{ alb.ingress.kubernetes.io/target-group-attributes: "deregistration_delay.timeout_seconds=20" }',
      ) +
      ingress(
        'web',
        'web',
        '{ alb.ingress.kubernetes.io/target-group-attributes: "deregistration_delay.timeout_seconds=60", alb.ingress.kubernetes.io/target-type: ip }',
      );
    const backend = facts(text).facts[0]?.backends[0];
    expect(backend?.settings.deregistrationDelaySeconds).toMatchObject({
      value: 20,
      from: { kind: 'annotation', object: { kind: 'Service' }, key: 'deregistration_delay.timeout_seconds' },
    });
    expect(backend?.settings.targetType).toMatchObject({
      value: 'ip',
      from: { kind: 'annotation', object: { kind: 'Ingress' } },
    });
  });

  it('IngressClassParams override both for the target type and the idle timeout', () => {
    const text =
      deployment() +
      service('web', 'http', '{ alb.ingress.kubernetes.io/target-type: instance }') +
      ingress(
        'web',
        'web',
        '{ alb.ingress.kubernetes.io/load-balancer-attributes: "idle_timeout.timeout_seconds=120" }',
      ).replace('ingressClassName: alb', 'ingressClassName: tuned') +
      '---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: { name: tuned }\nspec: { controller: ingress.k8s.aws/alb, parameters: { apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: tuned } }\n' +
      '---\napiVersion: elbv2.k8s.aws/v1beta1\nkind: IngressClassParams\nmetadata: { name: tuned }\nspec: { targetType: ip, loadBalancerAttributes: [{ key: idle_timeout.timeout_seconds, value: "300" }] }\n';
    const settings = facts(text).facts[0]?.backends[0]?.settings;
    expect(settings?.targetType).toMatchObject({ value: 'ip', from: { kind: 'ingress-class-params' } });
    expect(settings?.idleTimeoutSeconds).toMatchObject({
      value: 300,
      from: { kind: 'ingress-class-params' },
    });
  });

  it('an IngressGroup member’s load-balancer attributes apply to the shared load balancer', () => {
    const text =
      deployment() +
      service('web', 'http') +
      ingress('web', 'web', '{ alb.ingress.kubernetes.io/group.name: shared }') +
      ingress(
        'other',
        'elsewhere',
        '{ alb.ingress.kubernetes.io/group.name: shared, alb.ingress.kubernetes.io/load-balancer-attributes: "idle_timeout.timeout_seconds=30" }',
      );
    expect(facts(text).facts[0]?.backends[0]?.settings.idleTimeoutSeconds).toMatchObject({
      value: 30,
      from: { kind: 'annotation', object: { name: 'other' } },
    });
  });

  it('controller defaults carry a note naming where the setting was looked for', () => {
    const settings = facts(deployment() + service('web', 'http') + ingress('web', 'web')).facts[0]
      ?.backends[0]?.settings;
    expect(settings?.healthCheckIntervalSeconds).toMatchObject({
      value: 15,
      from: { kind: 'default', authority: 'aws-load-balancer-controller' },
    });
    expect(settings?.deregistrationDelaySeconds.value).toBe(300);
  });

  it('a TargetGroupBinding binds a Service by serviceRef', () => {
    const text =
      deployment() +
      service('web', 'http') +
      '---\napiVersion: elbv2.k8s.aws/v1beta1\nkind: TargetGroupBinding\nmetadata: { name: tgb, namespace: shop }\nspec: { serviceRef: { name: web, port: 80 }, targetType: ip, targetGroupARN: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef" }\n';
    const backend = facts(text).facts[0]?.backends[0];
    expect(backend?.route.kind).toBe('TargetGroupBinding');
    expect(backend?.settings.targetType.value).toBe('ip');
    expect(backend?.settings.targetGroupArn).toContain('targetgroup/web');
  });

  it('an NLB Service is a backend of its own with NLB defaults', () => {
    const text =
      deployment() +
      service(
        'web',
        'http',
        '{ service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip }',
      ).replace('ports:', 'type: LoadBalancer\n  ports:');
    const backend = facts(text).facts[0]?.backends[0];
    expect(backend?.loadBalancer).toBe('nlb');
    expect(backend?.settings.targetType.value).toBe('ip');
    expect(backend?.settings.healthCheckIntervalSeconds.value).toBe(10);
  });

  it('an Argo Rollout with ALB routing reaches its stable Service through the named Ingress, the canary twin folded in', () => {
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
      trafficRouting: { alb: { ingress: web, servicePort: 80, rootService: root } }
      steps: [{ setWeight: 10 }, { pause: { duration: 1m } }]
`;
    const text =
      rollout +
      service('stable', 'http') +
      service('canary', 'http') +
      ingress('web', 'root', '{ alb.ingress.kubernetes.io/target-type: ip }').replace(
        'port: { number: 80 }',
        'port: { name: use-annotation }',
      );
    const f = facts(text).facts[0];
    // The canary Service's target group has the stable one's settings: one backend says it all.
    expect(f?.backends.map((b) => `${b.service.ref.name}:${b.route.kind}`).sort()).toEqual([
      'stable:RolloutAlb',
    ]);
    expect(f?.workload.strategy).toMatchObject({
      type: 'Canary',
      steps: [{ setWeight: 10 }, { pause: { durationSeconds: 60 } }],
    });
  });

  const wrongTypes = [
    {
      name: 'replicas: "three" → an integer is expected',
      patch: (t: string) => t.replace('spec:\n  selector', 'spec:\n  replicas: "three"\n  selector'),
      field: 'spec.replicas',
      message: 'must be an integer, got "three"',
    },
    {
      name: 'a negative grace period → at least 0',
      patch: (t: string) =>
        t.replace(
          '    spec:\n      containers',
          '    spec:\n      terminationGracePeriodSeconds: -5\n      containers',
        ),
      field: 'spec.template.spec.terminationGracePeriodSeconds',
      message: 'must be at least 0, got -5',
    },
    {
      name: 'containers as a mapping → a list is expected',
      patch: (t: string) => t.replace(/containers:[\s\S]*$/, 'containers: { web: {} }\n'),
      field: 'spec.template.spec.containers',
      message: 'must be a list, got a mapping',
    },
    {
      name: 'a numeric label value → a string is expected',
      patch: (t: string) => t.replace('tier: front', 'tier: 3'),
      field: 'spec.template.metadata.labels.tier',
      message: 'must be a string, got 3',
    },
  ];
  it.each(wrongTypes)('$name', ({ patch, field, message }) => {
    const built = facts(patch(deployment()));
    expect(built.facts).toEqual([]);
    expect(built.problems).toContainEqual(
      expect.objectContaining({ field, message, object: 'Deployment shop/web' }),
    );
    expect(built.problems[0]?.at.line).toBeGreaterThan(0);
  });

  it('a bad annotation value is a problem with its line, and the default applies', () => {
    const built = facts(
      deployment() +
        service('web', 'http') +
        ingress('web', 'web', '{ alb.ingress.kubernetes.io/healthcheck-interval-seconds: "ten" }'),
    );
    expect(built.problems).toContainEqual(
      expect.objectContaining({ message: 'must be a whole number of seconds or a count, got "ten"' }),
    );
    expect(built.facts[0]?.backends[0]?.settings.healthCheckIntervalSeconds.value).toBe(15);
  });
});

describe('a HorizontalPodAutoscaler owns the replica count', () => {
  const hpa = (min?: number) => `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
${min === undefined ? '' : `  minReplicas: ${min}\n`}  maxReplicas: 10
`;
  it('replicas come from its minReplicas, with the HPA as their source', () => {
    const f = facts(deployment() + hpa(3)).facts[0];
    expect(f?.workload.replicas).toMatchObject({
      value: 3,
      from: { kind: 'field', object: { kind: 'HorizontalPodAutoscaler', name: 'web' } },
    });
  });

  it('without minReplicas, Kubernetes’ default of 1', () => {
    expect(facts(deployment() + hpa()).facts[0]?.workload.replicas.value).toBe(1);
  });

  it('an HPA of another workload changes nothing', () => {
    expect(
      facts(deployment() + hpa(3).replace('name: web }\n', 'name: other }\n')).facts[0]?.workload.replicas
        .value,
    ).toBe(1);
  });
});

describe('an Argo Rollout with a workloadRef runs the pod template of the Deployment it names', () => {
  const rollout = (ref = '{ apiVersion: apps/v1, kind: Deployment, name: web }') => `---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web-rollout, namespace: shop, annotations: { draingate.io/shutdown-seconds: "9" } }
spec:
  replicas: 4
  minReadySeconds: 20
  selector: { matchLabels: { app: web } }
  workloadRef: ${ref}
  strategy: { canary: { steps: [{ setWeight: 20 }] } }
`;
  const rolloutFacts = (text: string) =>
    facts(text).facts.find((candidate) => candidate.workload.kind === 'Rollout');

  it('the Rollout gets the template’s labels and containers, so the Service selects it', () => {
    const f = rolloutFacts(deployment() + rollout() + service('web', 'http') + ingress('web', 'web'));
    expect(f?.workload.podLabels).toEqual({ app: 'web', tier: 'front' });
    expect(f?.workload.containers.map((container) => container.name)).toEqual(['web', 'metrics']);
    expect(f?.backends.map((backend) => backend.service.ref.name)).toEqual(['web']);
    expect(f?.workload.template?.ref).toMatchObject({ kind: 'Deployment', name: 'web' });
  });

  it('replicas, minReadySeconds, strategy and annotations stay the Rollout’s', () => {
    const f = rolloutFacts(deployment() + rollout() + service('web', 'http'));
    expect(f?.workload.replicas.value).toBe(4);
    expect(f?.workload.minReadySeconds.value).toBe(20);
    expect(f?.workload.strategy.type).toBe('Canary');
    expect(f?.shutdownSeconds.value).toBe(9);
  });

  it('the template’s grace period comes with its position in the Deployment', () => {
    const f = rolloutFacts(
      deployment().replace('    spec:\n', '    spec:\n      terminationGracePeriodSeconds: 45\n') + rollout(),
    );
    expect(f?.workload.terminationGracePeriodSeconds).toMatchObject({
      value: 45,
      from: { kind: 'field', object: { kind: 'Deployment', name: 'web' }, at: { line: 9 } },
    });
  });

  it('a workloadRef to a Deployment the input does not hold leaves the Rollout without pods to judge', () => {
    const f = rolloutFacts(rollout('{ kind: Deployment, name: elsewhere }') + service('web', 'http'));
    expect(f?.workload.containers).toEqual([]);
    expect(f?.backends).toEqual([]);
  });

  it('a workloadRef of another kind (ReplicaSet, PodTemplate) is not followed', () => {
    const f = rolloutFacts(deployment() + rollout('{ kind: ReplicaSet, name: web }'));
    expect(f?.workload.template).toBeUndefined();
  });

  it.each([
    {
      name: 'a list',
      ref: '[Deployment, web]',
      field: 'spec.workloadRef',
      message: 'must be a mapping, got a list',
    },
    {
      name: 'a numeric name',
      ref: '{ kind: Deployment, name: 7 }',
      field: 'spec.workloadRef.name',
      message: 'must be a string, got 7',
    },
    {
      name: 'a mapping as kind',
      ref: '{ kind: { a: 1 }, name: web }',
      field: 'spec.workloadRef.kind',
      message: 'must be a string, got a mapping',
    },
  ])('a workloadRef that is $name is a problem, and the Rollout is left out', ({ ref, field, message }) => {
    const built = facts(deployment() + rollout(ref));
    expect(built.problems).toEqual([
      expect.objectContaining({ field, message, object: 'Rollout shop/web-rollout' }),
    ]);
    expect(built.facts.map((f) => f.workload.kind)).toEqual(['Deployment']);
  });

  it('a 100,000-character workloadRef name finds nothing and costs nothing', () => {
    const f = rolloutFacts(deployment() + rollout(`{ kind: Deployment, name: ${'x'.repeat(100_000)} }`));
    expect(f?.workload.template).toBeUndefined();
  });

  it.each([
    {
      name: 'labels',
      template: 'template: { metadata: { labels: { app: web } } }',
      field: 'spec.template.metadata.labels',
    },
    {
      name: 'annotations',
      template: 'template: { metadata: { annotations: { a: b } } }',
      field: 'spec.template.metadata.annotations',
    },
  ])(
    'a template with $name beside the workloadRef is refused, as Argo Rollouts refuses it',
    ({ template, field }) => {
      const built = facts(deployment() + rollout().replace('  strategy:', `  ${template}\n  strategy:`));
      expect(built.problems).toEqual([
        expect.objectContaining({
          object: 'Rollout shop/web-rollout',
          field,
          message: expect.stringContaining('template must be empty for workload reference rollout'),
          at: expect.objectContaining({ line: 23 }),
        }),
      ]);
      expect(built.facts.map((f) => f.workload.kind)).toEqual(['Deployment']);
    },
  );

  it('a template without labels or annotations beside the workloadRef is what Argo Rollouts accepts', () => {
    const built = facts(
      deployment() +
        rollout().replace('  strategy:', '  template: { spec: { containers: [] } }\n  strategy:'),
    );
    expect(built.problems).toEqual([]);
    const f = built.facts.find((candidate) => candidate.workload.kind === 'Rollout');
    expect(f?.workload.template?.ref.name).toBe('web');
  });

  it('an empty workloadRef (null) is no reference: the Rollout is judged by its own template', () => {
    const own = rollout('').replace(
      '  strategy:',
      '  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers: [{ name: web }]\n  strategy:',
    );
    const built = facts(own + service('web', 80));
    expect(built.problems).toEqual([]);
    const f = built.facts.find((candidate) => candidate.workload.kind === 'Rollout');
    expect(f?.workload.template).toBeUndefined();
    expect(f?.workload.containers.map((container) => container.name)).toEqual(['web']);
  });

  it('template labels and annotations beside the workloadRef, in block style: one problem, at the labels', () => {
    const both = rollout().replace(
      '  strategy:',
      '  template:\n    metadata:\n      labels:\n        app: web\n      annotations:\n        a: b\n  strategy:',
    );
    const built = facts(deployment() + both);
    expect(built.problems).toEqual([
      expect.objectContaining({
        field: 'spec.template.metadata.labels',
        at: expect.objectContaining({ line: 25, column: 7 }),
      }),
    ]);
  });

  it('empty labels and annotations beside the workloadRef are an empty template, which Argo Rollouts accepts', () => {
    const empty = rollout().replace(
      '  strategy:',
      '  template: { metadata: { labels: {}, annotations: {} } }\n  strategy:',
    );
    expect(facts(deployment() + empty).problems).toEqual([]);
  });

  it('template labels that are a list beside the workloadRef are one problem: not a mapping', () => {
    const list = rollout().replace('  strategy:', '  template: { metadata: { labels: [a] } }\n  strategy:');
    expect(facts(deployment() + list).problems).toEqual([
      expect.objectContaining({
        field: 'spec.template.metadata.labels',
        message: 'must be a mapping, got a list',
      }),
    ]);
  });

  it('a workloadRef without a name is a problem with its line', () => {
    const built = facts(deployment() + rollout('{ kind: Deployment }'));
    expect(built.problems).toContainEqual(
      expect.objectContaining({
        field: 'spec.workloadRef.name',
        message: 'is required',
        at: expect.objectContaining({ line: 22 }),
      }),
    );
  });
});

describe('keys and versions that are not what Kubernetes accepts', () => {
  it('a "__proto__" label is dropped, not kept as a label', () => {
    const text = deployment().replace(
      'labels: { app: web, tier: front }',
      'labels: { app: web, "__proto__": evil }',
    );
    const f = facts(text).facts[0];
    expect(f?.workload.podLabels).toEqual({ app: 'web' });
    expect(Object.hasOwn(f?.workload.podLabels ?? {}, '__proto__')).toBe(false);
  });

  it('a Rollout whose apiVersion names only its group is read as an Argo Rollout', () => {
    const text = deployment()
      .replace('apiVersion: apps/v1', 'apiVersion: argoproj.io')
      .replace('kind: Deployment', 'kind: Rollout')
      .replace('spec:\n  selector', 'spec:\n  strategy: { canary: {} }\n  selector');
    expect(facts(text).facts.map((f) => f.workload.kind)).toEqual(['Rollout']);
  });
});
