import { describe, expect, it } from 'vitest';
import { createAllowances } from '../timing/model.js';
import { loadFacts, validateManifests } from '../validate.js';
import { podTemplateFix } from './support.js';

// An Argo Rollout that runs a Deployment's pod template (spec.workloadRef), as teams write it when they move
// a Deployment to Argo Rollouts without copying its template: the Deployment is scaled to zero.
const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 0
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 60
      readinessGates: [{ conditionType: target-health.elbv2.k8s.aws/k8s-shop-web }]
      containers:
        - name: web
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /healthz, port: http } }
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web, namespace: shop, annotations: { draingate.io/shutdown-seconds: "5" } }
spec:
  replicas: 4
  selector: { matchLabels: { app: web } }
  workloadRef: { apiVersion: apps/v1, kind: Deployment, name: web, scaleDown: progressively }
  strategy: { canary: { steps: [{ setWeight: 25 }, { pause: { duration: 60 } }] } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/healthcheck-path: /healthz
    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=30
spec:
  ingressClassName: alb
  rules: [{ http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]
`;

function rolloutFindings() {
  const report = validateManifests([{ file: 'app.yaml', text: MANIFESTS }], {
    allowances: createAllowances(),
  });
  expect(report.problems).toEqual([]);
  return {
    report,
    findings: report.findings.filter((finding) => finding.workload.kind === 'Rollout'),
  };
}

describe('a Rollout with a workloadRef is judged with the template it runs', () => {
  it('it is load-balanced: the Service selects the template’s labels', () => {
    const { report } = rolloutFindings();
    expect(report.workloads.map((ref) => `${ref.kind}/${ref.name}`)).toContain('Rollout/web');
    expect(report.skippedWorkloads.map((ref) => ref.kind)).not.toContain('Rollout');
  });

  it('a container without preStop → DG001 at the container in the Deployment, fixed in the Deployment', () => {
    const dg001 = rolloutFindings().findings.find((finding) => finding.ruleId === 'DG001');
    expect(dg001?.at).toMatchObject({ file: 'app.yaml', line: 13 });
    expect(dg001?.fix.object).toMatchObject({ kind: 'Deployment', name: 'web' });
    expect(dg001?.fix.yaml).toMatch(/^# Deployment shop\/web\nspec:\n {2}template:/);
  });

  it('DG009 proposes the readiness gate, not minReadySeconds as well; its fallback is the Rollout’s own', () => {
    const report = validateManifests(
      [{ file: 'app.yaml', text: MANIFESTS.replace(/\s+readinessGates: .*\n/, '\n') }],
      { allowances: createAllowances() },
    );
    const dg009 = report.findings.find((f) => f.ruleId === 'DG009' && f.workload.kind === 'Rollout');
    expect(dg009?.fix.object).toMatchObject({ kind: 'Namespace', name: 'shop' });
    expect(dg009?.fix.yaml).toBe(
      '# Namespace shop\nmetadata:\n  labels:\n    elbv2.k8s.aws/pod-readiness-gate-inject: enabled\n',
    );
    expect(dg009?.fix.summary).toContain('set minReadySeconds to 35');
  });

  it('the template’s readiness gate counts: no DG006 for the Rollout', () => {
    expect(rolloutFindings().findings.map((finding) => finding.ruleId)).not.toContain('DG006');
  });
});

describe('podTemplateFix for a Rollout with a workloadRef', () => {
  it('writes the Rollout’s own fields and the template’s in two snippets, one per object', () => {
    const { facts } = loadFacts([{ file: 'app.yaml', text: MANIFESTS }], { allowances: createAllowances() });
    const rollout = facts.find((candidate) => candidate.workload.kind === 'Rollout')!;
    expect(podTemplateFix(rollout, { minReadySeconds: 35, grace: 70 })).toBe(
      '# Rollout shop/web\nspec:\n  minReadySeconds: 35\n---\n# Deployment shop/web\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 70\n',
    );
  });
});

describe('annotations where the template is written', () => {
  const withDeploymentAnnotations = (annotations: string) =>
    MANIFESTS.replace(
      'metadata: { name: web, namespace: shop }\nspec:\n  replicas: 0',
      `metadata: { name: web, namespace: shop, annotations: ${annotations} }\nspec:\n  replicas: 0`,
    );
  const withTemplateAnnotations = (annotations: string) =>
    MANIFESTS.replace(
      'metadata: { labels: { app: web } }',
      `metadata: { labels: { app: web }, annotations: ${annotations} }`,
    );
  const validate = (text: string) =>
    validateManifests([{ file: 'app.yaml', text }], { allowances: createAllowances() });

  it('draingate.io/ignore on the Deployment silences the Rollout’s findings on its template too', () => {
    const report = validate(withDeploymentAnnotations('{ draingate.io/ignore: "DG001" }'));
    expect(report.findings.map((f) => `${f.ruleId} ${f.workload.kind}`)).not.toContain('DG001 Rollout');
    expect(report.suppressed.map((s) => `${s.finding.ruleId} ${s.finding.workload.kind}`)).toContain(
      'DG001 Rollout',
    );
  });

  it('the Rollout’s own ignore wins over the Deployment’s', () => {
    const report = validate(
      withDeploymentAnnotations('{ draingate.io/ignore: "DG001" }').replace(
        'annotations: { draingate.io/shutdown-seconds: "5" }',
        'annotations: { draingate.io/shutdown-seconds: "5", draingate.io/ignore: "DG014" }',
      ),
    );
    expect(report.findings.map((f) => `${f.ruleId} ${f.workload.kind}`)).toContain('DG001 Rollout');
  });

  it('a shutdown allowance on the template is quoted from the Deployment, at its line', () => {
    const text = withTemplateAnnotations('{ draingate.io/shutdown-seconds: "70" }').replace(
      'annotations: { draingate.io/shutdown-seconds: "5" }',
      'annotations: {}',
    );
    const { facts } = loadFacts([{ file: 'app.yaml', text }], { allowances: createAllowances() });
    const rollout = facts.find((candidate) => candidate.workload.kind === 'Rollout');
    expect(rollout?.shutdownSeconds).toMatchObject({
      value: 70,
      from: { kind: 'annotation', object: { kind: 'Deployment', name: 'web' }, at: { line: 8 } },
    });
  });

  it('a bad value on the template is one problem, at the Deployment', () => {
    const text = withTemplateAnnotations('{ draingate.io/shutdown-seconds: "soon" }').replace(
      'annotations: { draingate.io/shutdown-seconds: "5" }',
      'annotations: {}',
    );
    const report = validate(text);
    expect(report.problems).toEqual([
      expect.objectContaining({
        object: 'Deployment shop/web',
        field: 'spec.template.metadata.annotations["draingate.io/shutdown-seconds"]',
        at: expect.objectContaining({ line: 8 }),
      }),
    ]);
  });
});
