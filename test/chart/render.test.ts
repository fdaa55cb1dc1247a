// The chart rendered by the real helm: lint, the values files, the schema's refusals, the provider's pod as
// draingate's own rules want it, the ClusterAnalysisTemplates equal to examples/argo/, and `draingate validate`
// on the output with no finding.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { draingate } from '../../packages/cli/test/run.js';
import { hasPeer, runHelm } from '../peers/index.js';
import {
  CHART,
  REPO,
  VALUES_FILES,
  only,
  parseManifests,
  renderChart,
  renderError,
  valuesFile,
  type Manifest,
} from './chart.js';
import { readValuesDocs, renderValuesTable } from './values-table.js';

interface PodSpec {
  terminationGracePeriodSeconds: number;
  automountServiceAccountToken: boolean;
  securityContext: Record<string, unknown>;
  topologySpreadConstraints?: { topologyKey: string; labelSelector: unknown; matchLabelKeys: string[] }[];
  volumes: Record<string, unknown>[];
  containers: {
    name: string;
    image: string;
    args: string[];
    env: { name: string; value: string }[];
    readinessProbe: { httpGet: { path: string } };
    livenessProbe: { httpGet: { path: string } };
    lifecycle?: { preStop: { sleep?: { seconds: number } } };
    securityContext: Record<string, unknown>;
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    volumeMounts: Record<string, unknown>[];
  }[];
}

function podSpec(manifests: readonly Manifest[]): PodSpec {
  const deployment = only(manifests, 'Deployment') as unknown as { spec: { template: { spec: PodSpec } } };
  return deployment.spec.template.spec;
}

function container(manifests: readonly Manifest[]): PodSpec['containers'][number] {
  const first = podSpec(manifests).containers[0];
  if (!first) throw new Error('the Deployment has no container');
  return first;
}

describe.skipIf(!hasPeer('helm'))('the Helm chart, rendered', () => {
  it('passes helm lint --strict with the default values', async () => {
    const { stdout } = await runHelm(['lint', '--strict', CHART]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it.each(VALUES_FILES)('passes helm lint --strict with ci/%s-values.yaml', async (name) => {
    const { stdout } = await runHelm(['lint', '--strict', CHART, '--values', valuesFile(name)]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders the provider, its RBAC and the six ClusterAnalysisTemplates with the default values', async () => {
    const { manifests } = await renderChart({
      set: ['tokens.clients.argo-rollouts=kT3v9x2QmW8pL4nR7sY1zB6cD0fH5jA2'],
    });
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ClusterAnalysisTemplate/draingate-canary',
      'ClusterAnalysisTemplate/draingate-canary-sequential',
      'ClusterAnalysisTemplate/draingate-drain-timing',
      'ClusterAnalysisTemplate/draingate-elb-5xx',
      'ClusterAnalysisTemplate/draingate-latency',
      'ClusterAnalysisTemplate/draingate-target-health',
      'ClusterRole/draingate-analysis-provider-draingate',
      'ClusterRoleBinding/draingate-analysis-provider-draingate',
      'ConfigMap/draingate-analysis-provider',
      'Deployment/draingate-analysis-provider',
      // `helm test`: readiness and a refused check without a token.
      'Pod/draingate-analysis-provider-test',
      'PodDisruptionBudget/draingate-analysis-provider',
      'Secret/draingate-analysis-provider-tokens',
      'Service/draingate-analysis-provider',
      'ServiceAccount/draingate-analysis-provider',
    ]);
  });

  it('runs two non-root, read-only replicas with probes, resources and spread over zones and nodes', async () => {
    const { manifests } = await renderChart();
    const deployment = only(manifests, 'Deployment') as unknown as {
      spec: { replicas: number; strategy: unknown };
    };
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    const pod = podSpec(manifests);
    const c = container(manifests);
    expect(c.image).toBe('ghcr.io/draingate/analysis-provider:0.1.0');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    // Above the provider's idle RSS (test/chart/provider.test.ts measures it).
    expect(c.resources.requests).toEqual({ cpu: '50m', memory: '160Mi' });
    expect(c.resources.limits).toEqual({ memory: '256Mi' });
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      // The image's USER is the name `node`: the kubelet can only verify runAsNonRoot with a numeric uid.
      runAsUser: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.topologySpreadConstraints?.map((t) => t.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(pod.topologySpreadConstraints?.[0]?.matchLabelKeys).toEqual(['pod-template-hash']);
    expect(only(manifests, 'PodDisruptionBudget')).toMatchObject({ spec: { maxUnavailable: 1 } });
  });

  it('drains by its own rules: native preStop sleep, then the shutdown, all inside the grace period', async () => {
    const { manifests } = await renderChart();
    const pod = podSpec(manifests);
    const c = container(manifests);
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value]));
    const preStop = c.lifecycle?.preStop.sleep?.seconds ?? 0;
    const delay = Number(env['DRAINGATE_SHUTDOWN_DELAY_SECONDS']);
    const timeout = Number(env['DRAINGATE_SHUTDOWN_TIMEOUT_SECONDS']);
    expect({ preStop, delay, timeout }).toEqual({ preStop: 20, delay: 5, timeout: 15 });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + delay + timeout);
    expect(only(manifests, 'Deployment').metadata.annotations?.['draingate.io/shutdown-seconds']).toBe(
      String(delay + timeout),
    );
  });

  it('writes the provider configuration file without empty settings, which the provider would refuse', async () => {
    const { manifests } = await renderChart({ values: ['full'] });
    const configMap = only(manifests, 'ConfigMap', 'draingate-analysis-provider') as unknown as {
      data: { 'config.yaml': string };
    };
    const [config] = parseManifests(configMap.data['config.yaml']) as unknown as Record<string, unknown>[];
    expect(config).toMatchObject({
      awsRegion: 'eu-west-1',
      kube: 'on',
      deadlineMs: 7000,
      allow: { namespaces: ['shop', 'payments'] },
      clients: { 'team-payments': { rateLimit: { ratePerSecond: 5, burst: 10 } } },
    });
    const { manifests: defaults } = await renderChart();
    const defaultMap = only(defaults, 'ConfigMap') as unknown as { data: { 'config.yaml': string } };
    expect(defaultMap.data['config.yaml']).not.toMatch(/awsRegion|awsEndpoint|allow|clients/);
    expect(container(manifests).args).toEqual(['--config', '/etc/draingate/config.yaml']);
  });

  it('annotates the ServiceAccount for IRSA only when a role is given', async () => {
    const { manifests } = await renderChart({ values: ['minimal'] });
    expect(only(manifests, 'ServiceAccount').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/draingate-analysis-provider',
    });
    const { manifests: podIdentity } = await renderChart();
    expect(only(podIdentity, 'ServiceAccount').metadata.annotations).toBeUndefined();
  });

  it('keeps the tokens given in the Secret it creates', async () => {
    const { manifests } = await renderChart({ values: ['full'] });
    const secret = only(manifests, 'Secret') as unknown as { data: Record<string, string> };
    expect(Object.keys(secret.data).sort()).toEqual(['argo-rollouts', 'team-payments']);
    expect(Buffer.from(secret.data['team-payments'] ?? '', 'base64').toString()).toBe(
      'kT3v9x2QmW8pL4nR7sY1zB6cD0fH5jA2',
    );
  });

  it('never generates a token offline: two renders (helm template, Argo CD) cannot rotate it', async () => {
    // A generated token would differ between two renders, so each GitOps sync would replace it and every
    // measurement would fail with 401. Offline, the chart leaves that Secret out instead; online (helm install)
    // it generates the token once and keeps it (test/chart/cluster.test.ts).
    const first = await renderChart();
    const second = await renderChart();
    expect(first.manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(first.yaml).toBe(second.yaml);
    // The Deployment still mounts it by name: create it yourself, or name one with tokens.existingSecret.
    expect(JSON.stringify(podSpec(first.manifests))).toContain(
      '"secretName":"draingate-analysis-provider-tokens"',
    );
  });

  it('renders everything optional with ci/full-values.yaml; with the HPA, replicas never drop below its minimum', async () => {
    const { manifests } = await renderChart({ values: ['full'] });
    for (const kind of ['HorizontalPodAutoscaler', 'ServiceMonitor', 'NetworkPolicy', 'Ingress']) {
      expect(
        manifests.some((m) => m.kind === kind),
        kind,
      ).toBe(true);
    }
    // Leaving replicas out would let an upgrade delete the field and fall to one pod; offline the HPA's minimum
    // is written (online, the count the cluster runs: test/chart/cluster.test.ts).
    const deployment = only(manifests, 'Deployment') as unknown as { spec: Record<string, unknown> };
    expect(deployment.spec['replicas']).toBe(3);
    expect(container(manifests).image).toBe(
      'ghcr.io/draingate/analysis-provider:0.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(
      manifests.filter((m) => m.kind === 'ClusterAnalysisTemplate').map((m) => m.metadata.name),
    ).toContain('platform-draingate-elb-5xx');
  });

  it('with namespaced RBAC, grants a Role per namespace and reads only those Namespaces cluster-wide', async () => {
    const { manifests } = await renderChart({ values: ['namespaced'] });
    expect(manifests.filter((m) => m.kind === 'Role').map((m) => m.metadata.namespace)).toEqual([
      'shop',
      'payments',
    ]);
    expect(manifests.filter((m) => m.kind === 'RoleBinding').map((m) => m.metadata.namespace)).toEqual([
      'shop',
      'payments',
    ]);
    const clusterRole = only(manifests, 'ClusterRole') as unknown as {
      rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
    };
    expect(clusterRole.rules.find((r) => r.resources.includes('namespaces'))).toEqual({
      apiGroups: [''],
      resources: ['namespaces'],
      resourceNames: ['shop', 'payments'],
      verbs: ['get'],
    });
    expect(clusterRole.rules.flatMap((r) => r.resources)).not.toContain('pods');
    // An existing Secret replaces the chart's.
    expect(manifests.some((m) => m.kind === 'Secret')).toBe(false);
    expect(JSON.stringify(podSpec(manifests))).toContain('"secretName":"draingate-tokens"');
  });

  it('with config.kube "off", mounts no ServiceAccount token and grants no RBAC', async () => {
    const { manifests } = await renderChart({ set: ['config.kube=off'] });
    expect(podSpec(manifests).automountServiceAccountToken).toBe(false);
    expect(manifests.filter((m) => m.kind.includes('Role'))).toEqual([]);
  });

  it('keeps the approval policy out of checksum/config: editing it changes no pod template, only its ConfigMap', async () => {
    const edit = 'approval.policy.environments.production.observeSeconds=30';
    const [before, after] = await Promise.all([
      renderChart({ values: ['full'] }),
      renderChart({ values: ['full'], set: [edit] }),
    ]);
    const template = (m: Manifest[]): unknown =>
      (only(m, 'Deployment') as unknown as { spec: { template: unknown } }).spec.template;
    expect(template(after.manifests)).toEqual(template(before.manifests));
    const policy = (m: Manifest[]): string =>
      (
        only(m, 'ConfigMap', 'draingate-analysis-provider-approval-policy') as unknown as {
          data: { 'policy.yaml': string };
        }
      ).data['policy.yaml'];
    expect(policy(before.manifests)).toContain('observeSeconds: 120');
    expect(policy(after.manifests)).toContain('observeSeconds: 30');
    // Mounted as a directory (no subPath), so the kubelet's update of the ConfigMap reaches the running pod.
    const pod = podSpec(after.manifests) as unknown as {
      volumes: { name: string; configMap?: { name: string } }[];
      containers: { volumeMounts: { name: string; mountPath: string; subPath?: string }[] }[];
    };
    expect(pod.volumes).toContainEqual({
      name: 'approval-policy',
      configMap: { name: 'draingate-analysis-provider-approval-policy' },
    });
    expect(pod.containers[0]?.volumeMounts).toContainEqual({
      name: 'approval-policy',
      mountPath: '/var/run/draingate/approval',
      readOnly: true,
    });
  });

  it('with the approval gate, keeps decisions as Leases in its own namespace: the pod names itself and its namespace', async () => {
    const { manifests } = await renderChart({ values: ['full'], namespace: 'platform' });
    const env = container(manifests).env as unknown as {
      name: string;
      value?: string;
      valueFrom?: unknown;
    }[];
    expect(env.filter((e) => e.name.startsWith('DRAINGATE_APPROVAL_'))).toEqual([
      { name: 'DRAINGATE_APPROVAL_POLICY', value: '/var/run/draingate/approval/policy.yaml' },
      {
        name: 'DRAINGATE_APPROVAL_STATE_NAMESPACE',
        valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
      },
      { name: 'DRAINGATE_APPROVAL_REPLICA_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'DRAINGATE_APPROVAL_LEASE_SECONDS', value: '30' },
      { name: 'DRAINGATE_APPROVAL_REDRIVE_MINUTES', value: '60' },
    ]);
    const role = only(manifests, 'Role', 'draingate-analysis-provider-approval-state') as unknown as {
      metadata: { namespace: string };
      rules: unknown[];
    };
    expect(role.metadata.namespace).toBe('platform');
    expect(role.rules).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'create', 'update', 'delete'],
      },
    ]);
    const binding = only(
      manifests,
      'RoleBinding',
      'draingate-analysis-provider-approval-state',
    ) as unknown as {
      metadata: { namespace: string };
      subjects: unknown[];
    };
    expect(binding.metadata.namespace).toBe('platform');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'draingate-analysis-provider', namespace: 'platform' },
    ]);
    // With config.kube off the checks never read the cluster, but the decisions still need the API.
    const { manifests: noKube } = await renderChart({ values: ['full'], set: ['config.kube=off'] });
    expect(podSpec(noKube).automountServiceAccountToken).toBe(true);
    expect(noKube.filter((m) => m.kind.includes('Role')).map((m) => `${m.kind} ${m.metadata.name}`)).toEqual([
      'Role draingate-analysis-provider-approval-state',
      'RoleBinding draingate-analysis-provider-approval-state',
    ]);
  });

  it('grants no write and nothing on Secrets, in either RBAC scope', async () => {
    for (const values of [[], ['namespaced']] as const) {
      const { manifests } = await renderChart({ values });
      const rules = manifests
        .filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role')
        .flatMap((m) => (m as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules);
      expect(new Set(rules.flatMap((r) => r.verbs))).toEqual(new Set(['get', 'list']));
      expect(rules.flatMap((r) => r.resources)).not.toContain('secrets');
      expect(rules.flatMap((r) => r.resources)).not.toContain('*');
    }
  });

  it('creates ClusterAnalysisTemplates equal to examples/argo/cluster-analysis-templates.yaml', async () => {
    const examples = parseManifests(
      readFileSync(join(REPO, 'examples/argo/cluster-analysis-templates.yaml'), 'utf8'),
    );
    const { manifests } = await renderChart();
    const rendered = manifests.filter((m) => m.kind === 'ClusterAnalysisTemplate');
    expect(rendered.map((m) => m.metadata.name).sort()).toEqual(examples.map((m) => m.metadata.name).sort());
    for (const example of examples) {
      const chart = only(rendered, 'ClusterAnalysisTemplate', example.metadata.name);
      expect(chart['spec'], example.metadata.name).toEqual(example['spec']);
      expect(chart.metadata.annotations).toEqual(example.metadata.annotations);
      expect(chart.metadata.labels).toMatchObject(example.metadata.labels ?? {});
    }
  });

  it("points the templates at the release's own Service", async () => {
    const { manifests } = await renderChart({
      release: 'gate',
      namespace: 'platform',
      set: ['service.port=9090'],
    });
    const urls = manifests
      .filter((m) => m.kind === 'ClusterAnalysisTemplate')
      .map((m) => (m as unknown as { spec: { metrics: { provider: { web: { url: string } } }[] } }).spec)
      .map((spec) => spec.metrics[0]?.provider.web.url);
    expect(urls).toContain('http://gate-analysis-provider.platform.svc:9090/v1/checks/elb-5xx');
    expect(only(manifests, 'Service', 'gate-analysis-provider')).toMatchObject({
      spec: { ports: [{ port: 9090, targetPort: 'http' }] },
    });
  });

  it.each<{ name: string; args: string[]; message: string }>([
    {
      name: 'one replica → refused by the schema',
      args: ['--set', 'replicaCount=1'],
      message: "at '/replicaCount': minimum: got 1, want 2",
    },
    {
      name: 'an unknown top-level key (a typo) → refused',
      args: ['--set', 'replicas=3'],
      message: "additional properties 'replicas' not allowed",
    },
    {
      name: 'an unquoted on for config.kube (a YAML boolean) → refused',
      args: ['--set-json', 'config.kube=true'],
      message: "at '/config/kube'",
    },
    {
      name: 'a provider setting the chart owns (the port) in config → refused',
      args: ['--set', 'config.port=9000'],
      message: "at '/config': additional properties 'port' not allowed",
    },
    {
      name: "a deadline above Argo's 10 s timeout → refused",
      args: ['--set', 'config.deadlineMs=12000'],
      message: "at '/config/deadlineMs': maximum: got 12,000, want 9,500",
    },
    {
      name: 'a token shorter than 16 characters → refused',
      args: ['--set', 'tokens.clients.ci=short'],
      message: "at '/tokens/clients/ci': 'short' does not match pattern",
    },
    {
      name: 'an empty allow-list (which would deny everything) → refused',
      args: ['--set-json', 'config.allow.namespaces=[]'],
      message: "at '/config/allow/namespaces': minItems: got 0, want 1",
    },
    {
      name: 'a malformed IRSA role ARN → refused',
      args: ['--set', 'serviceAccount.roleArn=my-role'],
      message: "at '/serviceAccount/roleArn': 'my-role' does not match pattern",
    },
    {
      name: 'an analysis timeout no longer than the provider deadline → refused',
      args: ['--set', 'analysisTemplates.timeoutSeconds=8'],
      message: 'analysisTemplates.timeoutSeconds (8 s) must be longer than config.deadlineMs (8000 ms)',
    },
    {
      name: 'a PDB with maxUnavailable 0 (blocks every node drain) → refused',
      args: ['--set', 'podDisruptionBudget.maxUnavailable=0'],
      message: "at '/podDisruptionBudget/maxUnavailable'",
    },
    {
      name: 'a PDB whose minAvailable is every replica → refused',
      args: ['--set', 'podDisruptionBudget.minAvailable=2'],
      message: 'podDisruptionBudget.minAvailable (2) must be below replicaCount (2)',
    },
    {
      name: 'a 5xx rate above 1 given as a string ("5") → refused',
      args: ['--set-string', 'analysisTemplates.elb5xx.maxRate=5'],
      message: "at '/analysisTemplates/elb5xx/maxRate'",
    },
    {
      name: 'an alpha above 0.5 → refused',
      args: ['--set-string', 'analysisTemplates.canary.alpha=0.6'],
      message: "at '/analysisTemplates/canary/alpha'",
    },
    {
      name: 'an Ingress routing "/" (metrics and the API description on the load balancer) → refused',
      args: ['--set', 'ingress.enabled=true', '--set-json', 'ingress.paths=["/"]'],
      message: 'would expose /metrics and /openapi.json without authentication',
    },
    {
      name: 'an Ingress with a NetworkPolicy that no ALB address can pass → refused',
      args: ['--set', 'ingress.enabled=true', '--set', 'networkPolicy.enabled=true'],
      message: 'no networkPolicy.from peer is an ipBlock',
    },
    {
      name: 'namespaced RBAC without namespaces → refused',
      args: ['--set', 'rbac.scope=namespaced'],
      message: "at '/rbac/namespaces': minItems: got 0, want 1",
    },
    {
      name: 'a privileged port → refused',
      args: ['--set', 'containerPort=80'],
      message: "at '/containerPort': minimum: got 80, want 1,024",
    },
    {
      name: 'turning authentication off through extraEnv → refused',
      args: [
        '--set',
        'extraEnv[0].name=DRAINGATE_INSECURE_NO_AUTH',
        '--set-string',
        'extraEnv[0].value=true',
      ],
      message: "at '/extraEnv/0/name'",
    },
    {
      name: 'an ALB with a preStop shorter than controller latency plus propagation → refused',
      args: ['--set', 'ingress.enabled=true', '--set', 'drain.preStopSleepSeconds=5'],
      message: "at '/drain/preStopSleepSeconds': minimum: got 5, want 20",
    },
    {
      name: 'a grace period that does not cover preStop and shutdown → refused with the sum',
      args: ['--set', 'drain.terminationGracePeriodSeconds=30'],
      message:
        'drain.terminationGracePeriodSeconds (30) must be greater than drain.preStopSleepSeconds + drain.shutdownDelaySeconds + drain.shutdownTimeoutSeconds (20 + 5 + 15 = 40)',
    },
    {
      name: 'a NetworkPolicy with no peer (which would admit everyone) → refused',
      args: ['--set', 'networkPolicy.enabled=true', '--set-json', 'networkPolicy.from=[]'],
      message: "at '/networkPolicy/from': minItems: got 0, want 1",
    },
  ])('$name', async ({ args, message }) => {
    expect(await renderError(args)).toContain(message);
  });

  it.each(['default', ...VALUES_FILES] as const)(
    'draingate validate finds nothing in the chart rendered with %s values',
    async (name) => {
      const { yaml } = await renderChart(name === 'default' ? {} : { values: [name] });
      // Behind an ALB the chart relies on the documented namespace label for readiness gates; say so to the
      // rules the way a user's manifests would.
      const input = yaml.includes('kind: Ingress')
        ? `${yaml}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: draingate\n  labels:\n    elbv2.k8s.aws/pod-readiness-gate-inject: enabled\n`
        : yaml;
      const result = await draingate(['validate', '--output', 'json', '--fail-on', 'info', '-'], { input });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as {
        summary: {
          workloads: number;
          skippedWorkloads: number;
          errors: number;
          warnings: number;
          infos: number;
          problems: number;
        };
        suppressed: { finding: { ruleId?: string; id?: string } }[];
      };
      expect(report.summary).toMatchObject({ errors: 0, warnings: 0, infos: 0, problems: 0 });
      // Behind the ALB the provider is judged by every rule; otherwise no load balancer reaches it.
      expect(report.summary.workloads).toBe(input === yaml ? 0 : 1);
      expect(report.summary.workloads + report.summary.skippedWorkloads).toBe(1);
      // Nothing is suppressed: with the HPA on, DG008 reads its minReplicas.
      expect(report.suppressed.length).toBe(0);
      // And the simulator agrees: a rolling update of the provider behind its ALB loses no request.
      if (input !== yaml) {
        const simulated = await draingate(['simulate', '--output', 'json', '-'], { input });
        expect(simulated.stderr).toBe('');
        expect(simulated.code).toBe(0);
        const document = JSON.parse(simulated.stdout) as { result: { failures: number; requests: number } };
        expect(document.result.requests).toBeGreaterThan(0);
        expect(document.result.failures).toBe(0);
      }
    },
  );
});

describe("the chart's documentation", () => {
  const values = readFileSync(join(CHART, 'values.yaml'), 'utf8');

  it('documents every key of values.yaml with a `# --` comment', () => {
    const docs = readValuesDocs(values);
    expect(docs.undocumented).toEqual([]);
    expect(docs.rows.length).toBeGreaterThan(60);
  });

  it("merges the user's Ingress annotations with the chart's: no key twice, the deregistration delay kept", async () => {
    const { yaml, manifests } = await renderChart({
      set: ['ingress.enabled=true'],
      setJson: [
        'ingress.annotations={"alb.ingress.kubernetes.io/scheme":"internet-facing","alb.ingress.kubernetes.io/target-group-attributes":"stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=60","alb.ingress.kubernetes.io/group.name":"platform"}',
      ],
    });
    const annotations = only(manifests, 'Ingress').metadata.annotations ?? {};
    expect(annotations['alb.ingress.kubernetes.io/scheme']).toBe('internet-facing');
    expect(annotations['alb.ingress.kubernetes.io/group.name']).toBe('platform');
    expect(annotations['alb.ingress.kubernetes.io/target-group-attributes']).toBe(
      'stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=60,deregistration_delay.timeout_seconds=20',
    );
    // js-yaml refuses duplicate keys, but say it plainly: each annotation appears once in the text.
    expect(yaml.match(/alb\.ingress\.kubernetes\.io\/scheme:/g)).toHaveLength(1);
    // The default paths keep /metrics and /openapi.json off the load balancer.
    const paths = (
      only(manifests, 'Ingress') as unknown as {
        spec: { rules: { http: { paths: { path: string }[] } }[] };
      }
    ).spec.rules[0]?.http.paths.map((p) => p.path);
    expect(paths).toEqual(['/v1/checks', '/github/webhook']);
  });

  it('names the namespaced Roles after the release namespace, so two releases of one name never collide', async () => {
    const one = await renderChart({ values: ['namespaced'], namespace: 'platform-a' });
    const two = await renderChart({ values: ['namespaced'], namespace: 'platform-b' });
    const names = (r: typeof one) =>
      r.manifests
        .filter((m) => m.kind === 'Role' || m.kind === 'RoleBinding')
        .map((m) => `${m.metadata.namespace}/${m.kind}/${m.metadata.name}`);
    expect(names(one)).toContain('shop/Role/draingate-analysis-provider-platform-a');
    expect(names(one).filter((n) => names(two).includes(n))).toEqual([]);
  });

  it('mounts extra volumes, e.g. a CA bundle', async () => {
    const { manifests } = await renderChart({ values: ['full'] });
    expect(podSpec(manifests).volumes).toContainEqual({
      name: 'ca-bundle',
      configMap: { name: 'corporate-ca' },
    });
    expect(container(manifests).volumeMounts).toContainEqual({
      name: 'ca-bundle',
      mountPath: '/etc/draingate/ca',
      readOnly: true,
    });
  });

  it('has a helm test that checks readiness and that a check needs a token, with the provider image', async () => {
    const { manifests } = await renderChart({ set: ['tokens.existingSecret=draingate-tokens'] });
    const test = only(manifests, 'Pod');
    expect(test.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const spec = test['spec'] as { containers: { image: string; args: string[] }[] };
    expect(spec.containers[0]?.image).toBe(container(manifests).image);
    expect(spec.containers[0]?.args.join('')).toContain(
      'http://draingate-analysis-provider.draingate.svc:8080',
    );
  });

  it('has a values table in the chart README equal to values.yaml', () => {
    const path = join(CHART, 'README.md');
    const readme = readFileSync(path, 'utf8');
    const start = '<!-- values-table:start -->\n';
    const end = '<!-- values-table:end -->';
    const table = renderValuesTable(readValuesDocs(values).rows);
    const expected = `${readme.slice(0, readme.indexOf(start) + start.length)}${table}\n${readme.slice(readme.indexOf(end))}`;
    if (process.env['DRAINGATE_UPDATE_CHART_README'] === '1') writeFileSync(path, expected);
    expect(readme).toBe(expected);
  });

  it('documents an IAM policy with exactly the AWS calls packages/aws makes', () => {
    const policy = JSON.parse(readFileSync(join(REPO, 'docs/iam-policy.json'), 'utf8')) as {
      Statement: { Effect: string; Action: string[]; Resource: string }[];
    };
    const granted = policy.Statement.flatMap((statement) => {
      expect(statement).toMatchObject({ Effect: 'Allow', Resource: '*' });
      return statement.Action;
    });
    const source = join(REPO, 'packages/aws/src');
    const sent = new Set<string>();
    for (const file of readdirSync(source).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const text = readFileSync(join(source, file), 'utf8');
      for (const match of text.matchAll(/new (\w+)Command\(/g)) {
        const operation = match[1] ?? '';
        sent.add(`${operation === 'GetMetricData' ? 'cloudwatch' : 'elasticloadbalancing'}:${operation}`);
      }
    }
    expect([...granted].sort()).toEqual([...sent].sort());
  });
});
