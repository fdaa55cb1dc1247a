// Argo Rollouts' reference validation — the check the Rollout controller runs before it acts on a Rollout
// (ValidateRollout, then ValidateRolloutReferencedResources over its Services, Ingresses and analysis templates;
// a failure marks the Rollout InvalidSpec) — run with Argo's own code (argo-judge validate) on every shipped
// Rollout against every shipped set of templates: examples/argo's POST and GET templates and the chart's
// ClusterAnalysisTemplates as helm renders them.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll, dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderChart } from '../chart/chart.js';
import { argoValidate, hasPeer } from '../peers/index.js';

const EXAMPLES = join(import.meta.dirname, '../../examples/argo');
const ROLLOUT_FILES = readdirSync(EXAMPLES).filter((f) => f.startsWith('rollout') && f.endsWith('.yaml'));

interface Doc {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, unknown>;
}

function docs(file: string): Doc[] {
  return loadAll(readFileSync(file, 'utf8')).filter((d): d is Doc => typeof d === 'object' && d !== null);
}

describe.skipIf(!hasPeer('argo') || !hasPeer('helm'))(
  "Argo's reference validation of the shipped Rollouts",
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'draingate-argo-validate-'));
    const write = (name: string, objects: readonly unknown[]): string => {
      const file = join(dir, name);
      writeFileSync(file, objects.map((o) => `---\n${dump(o)}`).join(''));
      return file;
    };
    let chartTemplates: string;

    beforeAll(async () => {
      const { manifests } = await renderChart();
      chartTemplates = write(
        'chart-templates.yaml',
        manifests.filter((m) => m.kind === 'ClusterAnalysisTemplate'),
      );
    });

    it('ships a canary and a blue-green Rollout', () => {
      const strategies = ROLLOUT_FILES.flatMap((f) => docs(join(EXAMPLES, f)))
        .filter((d) => d.kind === 'Rollout')
        .map((d) => Object.keys((d.spec?.['strategy'] as object) ?? {})[0]);
      expect(strategies.sort()).toEqual(['blueGreen', 'canary']);
    });

    it.each(ROLLOUT_FILES)(
      '%s with examples/argo/cluster-analysis-templates.yaml → no error',
      async (file) => {
        const results = await argoValidate([
          join(EXAMPLES, file),
          join(EXAMPLES, 'cluster-analysis-templates.yaml'),
        ]);
        expect(results.length).toBeGreaterThan(0);
        for (const result of results) expect(result.errors, result.rollout).toEqual([]);
      },
    );

    it.each(ROLLOUT_FILES)(
      "%s with the chart's ClusterAnalysisTemplates (helm template) → no error",
      async (file) => {
        const results = await argoValidate([join(EXAMPLES, file), chartTemplates]);
        for (const result of results) expect(result.errors, result.rollout).toEqual([]);
      },
    );

    it.each(ROLLOUT_FILES)('%s with the GET AnalysisTemplates in its namespace → no error', async (file) => {
      // The same Rollout pointed at the namespaced GET templates (draingate-<check>-get, clusterScope false).
      const objects = docs(join(EXAMPLES, file));
      const rollout = objects.find((d) => d.kind === 'Rollout');
      const namespace = rollout?.metadata?.namespace ?? 'default';
      const text = JSON.stringify(objects).replace(
        /"templateName":"(draingate-[\w-]+)","clusterScope":true/g,
        '"templateName":"$1-get"',
      );
      const templates = docs(join(EXAMPLES, 'analysis-templates-get.yaml')).map((t) => ({
        ...t,
        metadata: { ...t.metadata, namespace },
      }));
      // The GET target-health template takes a label selector instead of one label.
      const withSelector = JSON.parse(
        text.replace(/"name":"app-label","value":"(\w+)"/g, '"name":"selector","value":"app=$1"'),
      ) as unknown[];
      const results = await argoValidate([
        write(`get-${file}`, withSelector),
        write(`get-templates-${namespace}.yaml`, templates),
      ]);
      for (const result of results) expect(result.errors, result.rollout).toEqual([]);
    });

    // The same validation refuses what the controller refuses: proof that the cases above can fail.
    it.each([
      {
        name: 'a template whose metric has an interval and no count, as a canary step → runs indefinitely',
        mutate: (metric: Record<string, unknown>) => {
          delete metric['count'];
          metric['interval'] = '1m';
        },
        file: 'rollout.yaml',
        error:
          /AnalysisTemplate draingate-canary-sequential has metric canary-sequential which runs indefinitely. Invalid value for count: <nil>/,
      },
      {
        name: 'the same template as blue-green pre-promotion analysis → runs indefinitely',
        mutate: (metric: Record<string, unknown>) => {
          delete metric['count'];
          metric['interval'] = '1m';
        },
        file: 'rollout-bluegreen.yaml',
        error: /AnalysisTemplate draingate-target-health has metric target-health which runs indefinitely/,
      },
    ])('$name', async ({ mutate, file, error }) => {
      const templates = docs(join(EXAMPLES, 'cluster-analysis-templates.yaml'));
      for (const template of templates) {
        for (const metric of (template.spec?.['metrics'] as Record<string, unknown>[]) ?? []) mutate(metric);
      }
      const results = await argoValidate([join(EXAMPLES, file), write(`mutated-${file}`, templates)]);
      expect(results.flatMap((r) => r.errors).join('\n')).toMatch(error);
    });

    it('a Rollout naming a template that does not exist → not found', async () => {
      const results = await argoValidate([join(EXAMPLES, 'rollout.yaml')]);
      expect(results.flatMap((r) => r.errors).join('\n')).toMatch(
        /ClusterAnalysisTemplate 'draingate-canary-sequential' not found/,
      );
    });

    it("a canary Service that does not select the Rollout's pods → refused", async () => {
      const objects = docs(join(EXAMPLES, 'rollout.yaml')).map((d) =>
        d.kind === 'Service' && d.metadata?.name === 'web-canary'
          ? { ...d, spec: { ...d.spec, selector: { app: 'api' } } }
          : d,
      );
      const results = await argoValidate([
        write('wrong-selector.yaml', objects),
        join(EXAMPLES, 'cluster-analysis-templates.yaml'),
      ]);
      expect(results.flatMap((r) => r.errors).join('\n')).toMatch(
        /Service "web-canary" has unmatch label "app" in rollout/,
      );
    });
  },
);
