import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatInputProblem, formatNotice, formatSourceRef } from './manifest/source.js';
import { createAllowances } from './timing/model.js';
import type { ManifestSource } from './validate.js';
import { validateManifests } from './validate.js';

const LAYOUTS = join(import.meta.dirname, 'manifest/fixtures/layouts');

/** Every file under `dir`, named relative to LAYOUTS as the reader would name them from there. */
function sourcesUnder(dir: string): ManifestSource[] {
  const out: ManifestSource[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push({ file: relative(LAYOUTS, full), text: readFileSync(full, 'utf8') });
    }
  };
  walk(join(LAYOUTS, dir));
  return out;
}

function validate(sources: readonly ManifestSource[]) {
  const report = validateManifests(sources, { allowances: createAllowances() });
  return {
    report,
    findings: report.findings.map((f) => `${f.ruleId} ${f.at ? formatSourceRef(f.at) : ''}`),
    notices: report.notices.map((n) => `${n.code}: ${formatNotice(n)}`),
  };
}

const APP = readFileSync(join(LAYOUTS, 'two-environments/k8s/staging/app.yaml'), 'utf8');

describe('environments', () => {
  it('two environments of one application are judged apart: each keeps its own finding', () => {
    const { report, findings, notices } = validate(sourcesUnder('two-environments'));
    expect(report.problems).toEqual([]);
    expect(findings.filter((f) => /DG00[12] /.test(f))).toEqual([
      'DG002 two-environments/k8s/prod/app.yaml:29:13',
      'DG001 two-environments/k8s/staging/app.yaml:19:11',
    ]);
    expect(report.workloads.map((w) => w.source && formatSourceRef(w.source))).toEqual([
      'two-environments/k8s/prod/app.yaml:2:1',
      'two-environments/k8s/staging/app.yaml:2:1',
    ]);
    expect(notices).toEqual([
      'environments: two-environments/k8s/ defines the same objects more than once (Deployment shop/web in two-environments/k8s/prod/app.yaml:2:1 and two-environments/k8s/staging/app.yaml:2:1; Service shop/web in two-environments/k8s/prod/app.yaml:33:1 and two-environments/k8s/staging/app.yaml:30:1; Ingress shop/web in two-environments/k8s/prod/app.yaml:46:1 and two-environments/k8s/staging/app.yaml:43:1 and 1 more): each subdirectory and each such file is judged as an environment of its own',
    ]);
  });

  it('a file both environments share (the Namespace) is linked into each of them', () => {
    const { findings } = validate(sourcesUnder('two-environments'));
    // The namespace label injects the readiness gate: without the shared file, both would get DG006.
    expect(findings.filter((f) => f.startsWith('DG006'))).toEqual([]);
  });

  it('files of one application spread over directories are still linked together', () => {
    const [deployment, ...rest] = APP.split(/^---$/m);
    const { report, findings } = validate([
      { file: 'k8s/app/deployment.yaml', text: deployment! },
      { file: 'k8s/routing/rest.yaml', text: rest.join('---') },
    ]);
    expect(report.workloads).toHaveLength(1);
    expect(findings[0]).toBe('DG001 k8s/app/deployment.yaml:19:11');
  });

  it('one object twice in one input (stdin) stays one group, with a notice that names both places', () => {
    const { report, notices } = validate([{ file: '-', text: `${APP}\n---\n${APP}` }]);
    expect(report.workloads).toHaveLength(2);
    expect(notices).toContain(
      'duplicate-object: -:79:1: Deployment shop/web: defined twice in one input, at -:2:1 and -:79:1: both are kept in one environment and linked together (give each environment its own file or directory)',
    );
  });
});

describe('files that are not Kubernetes objects', () => {
  it.each([
    {
      name: 'a kustomization → skipped, with how to render it',
      file: 'kustomization.yaml',
      text: 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n',
      notice:
        'not-kubernetes: kustomization.yaml:1:1: skipped: holds no Kubernetes object (a kustomize Kustomization (render it: kustomize build DIR | draingate validate -))',
    },
    {
      name: 'a Helm Chart.yaml → skipped, with how to render the chart',
      file: 'Chart.yaml',
      text: 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
      notice:
        'not-kubernetes: Chart.yaml:1:1: skipped: holds no Kubernetes object (a Helm Chart.yaml (render the chart: helm template DIR | draingate validate -))',
    },
    {
      name: 'a values file → skipped',
      file: 'values.yaml',
      text: 'replicaCount: 2\nimage:\n  tag: "1.0"\n',
      notice:
        'not-kubernetes: values.yaml:1:1: skipped: holds no Kubernetes object (a mapping without apiVersion and kind)',
    },
    {
      name: 'a compose file → skipped',
      file: 'compose.yaml',
      text: 'services:\n  web:\n    image: nginx\n',
      notice:
        'not-kubernetes: compose.yaml:1:1: skipped: holds no Kubernetes object (a mapping without apiVersion and kind)',
    },
    {
      name: 'a list at the top (an Ansible playbook) → skipped',
      file: 'playbook.yml',
      text: '- hosts: all\n  tasks: []\n',
      notice: 'not-kubernetes: playbook.yml:1:1: skipped: holds no Kubernetes object (a list at the top)',
    },
    {
      name: 'an empty file → skipped, said so',
      file: 'empty.yaml',
      text: '',
      notice: 'not-kubernetes: empty.yaml:1:1: skipped: the file is empty',
    },
  ])('$name', ({ file, text, notice }) => {
    const { report, notices } = validate([{ file, text }]);
    expect(report.problems).toEqual([]);
    expect(notices).toEqual([notice]);
  });

  it('a kustomize base and its overlays: the base is judged, the patches are skipped with a notice', () => {
    const { report, findings, notices } = validate(sourcesUnder('kustomize'));
    expect(report.problems).toEqual([]);
    expect(findings.filter((f) => f.startsWith('DG001'))).toEqual(['DG001 kustomize/base/app.yaml:19:11']);
    expect(notices).toEqual([
      'not-kubernetes: kustomize/base/kustomization.yaml:1:1: skipped: holds no Kubernetes object (a kustomize Kustomization (render it: kustomize build DIR | draingate validate -))',
      'not-kubernetes: kustomize/overlays/prod/kustomization.yaml:1:1: skipped: holds no Kubernetes object (a kustomize Kustomization (render it: kustomize build DIR | draingate validate -))',
      'kustomize-patch: kustomize/overlays/prod/lifecycle.yaml:1:1: skipped: a patch of kustomize/overlays/prod/kustomization.yaml, not an object (render it: kustomize build DIR | draingate validate -)',
      'not-kubernetes: kustomize/overlays/staging/kustomization.yaml:1:1: skipped: holds no Kubernetes object (a kustomize Kustomization (render it: kustomize build DIR | draingate validate -))',
      'kustomize-patch: kustomize/overlays/staging/replicas.yaml:1:1: skipped: a patch of kustomize/overlays/staging/kustomization.yaml, not an object (render it: kustomize build DIR | draingate validate -)',
    ]);
  });

  it('objects of kinds drain timing does not depend on are counted in one notice', () => {
    const { notices } = validate([
      {
        file: 'cm.yaml',
        text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: c}\n',
      },
    ]);
    expect(notices).toEqual([
      'unknown-kind: skipped 3 objects of kinds drain timing does not depend on: ConfigMap (2), Secret (1)',
    ]);
  });
});

describe('what the API server accepts and refuses', () => {
  const deployment = (extra: { selector?: string; annotations?: string }): string =>
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  namespace: shop',
      ...(extra.annotations ? ['  annotations:', extra.annotations] : []),
      'spec:',
      ...(extra.selector ? ['  selector:', '    matchLabels:', extra.selector] : []),
      '  template:',
      '    metadata:',
      '      labels:',
      '        app: web',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: x',
      '',
    ].join('\n');

  it.each([
    {
      name: 'an annotation with no value → accepted, as the API server reads it as ""',
      text: deployment({ annotations: '    draingate.io/ignore-reason:\n    empty: ""' }),
      problems: [],
    },
    {
      name: 'a selector that does not select the template’s labels → an input problem at the selector',
      text: deployment({ selector: '      app: api' }),
      problems: [
        "d.yaml:7:3: Deployment shop/web: spec.selector: does not select the pod template's labels (app=web): the API server refuses such a Deployment",
      ],
    },
    {
      name: 'a template label that is a number → one input problem, not one per reading',
      text: deployment({ selector: '      app: web' }).replace(
        '        app: web\n    spec:',
        '        app: web\n        tier: 1\n    spec:',
      ),
      problems: [
        'd.yaml:14:9: Deployment shop/web: spec.template.metadata.labels.tier: must be a string, got 1',
      ],
    },
    {
      name: 'a selector that selects the template’s labels → accepted',
      text: deployment({ selector: '      app: web' }),
      problems: [],
    },
    {
      name: 'a Service targetPort that is a quoted number → an input problem, not a port name',
      text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ports:\n    - port: 80\n      targetPort: "8080"\n',
      problems: [
        'd.yaml:9:7: Service shop/web: spec.ports[0].targetPort: is the string "8080", which the API server refuses (a port name needs a letter): write 8080 without quotes',
      ],
    },
    {
      name: 'a PodDisruptionBudget with minAvailable and maxUnavailable → an input problem, no coverage',
      text: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  minAvailable: 1\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: web\n',
      problems: [
        'd.yaml:8:3: PodDisruptionBudget shop/web: spec.maxUnavailable: may not be set together with minAvailable: the API server refuses such a PodDisruptionBudget, so it covers nothing',
      ],
    },
  ])('$name', ({ text, problems }) => {
    const report = validateManifests([{ file: 'd.yaml', text }], { allowances: createAllowances() });
    expect(report.problems.map(formatInputProblem)).toEqual(problems);
  });
});
