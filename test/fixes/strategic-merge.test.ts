// Every fix a rule proposes is a snippet to merge into an object. Here each one is applied the way a reviewer
// would apply it — `kubectl patch --local --type strategic`, the real merge of the Kubernetes API machinery —
// and the patched manifests are validated again: the rule must be quiet on what it fixed, and the patch must
// not introduce an input problem.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { createAllowances, RULES, validateManifests } from '@draingate/core';
import type { Finding } from '@draingate/core';
import { hasPeer, kubectlPath } from '../peers/index.js';

const FIXTURES = join(import.meta.dirname, '../../packages/core/src/rules/fixtures');
const scratch = mkdtempSync(join(tmpdir(), 'draingate-fixes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { template?: unknown };
};

/** Kinds kubectl knows the strategic-merge schema of; custom resources only take JSON merge patches. */
const BUILT_IN = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Service', 'Ingress', 'Namespace']);

function kubectl(object: KubeObject, patch: unknown, type: 'strategic' | 'merge'): KubeObject {
  const file = join(scratch, 'object.json');
  writeFileSync(file, JSON.stringify(object));
  const out = execFileSync(
    kubectlPath(),
    ['patch', '--local', '-f', file, '--type', type, '-p', JSON.stringify(patch), '-o', 'json'],
    { encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(scratch, 'no-kubeconfig') } },
  );
  return JSON.parse(out) as KubeObject;
}

/**
 * Applies one snippet to one object. An Argo Rollout's pod template is a PodTemplateSpec like a Deployment's:
 * a snippet into it is merged as kubectl would merge it into a Deployment (containers by name), which is what
 * the snippet means; the rest of a custom resource takes a JSON merge patch.
 */
function applySnippet(object: KubeObject, patch: { spec?: { template?: unknown } }): KubeObject {
  if (BUILT_IN.has(object.kind ?? '')) return kubectl(object, patch, 'strategic');
  const { template, ...restOfSpec } = patch.spec ?? {};
  let result = object;
  if (template !== undefined) {
    const carrier = kubectl(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'carrier' },
        spec: { template: object.spec?.template ?? {} },
      },
      { spec: { template } },
      'strategic',
    );
    result = { ...result, spec: { ...result.spec, template: carrier.spec?.template } };
  }
  const rest = { ...patch, spec: restOfSpec };
  if (Object.keys(restOfSpec).length === 0) delete (rest as { spec?: unknown }).spec;
  return Object.keys(rest).length > 0 ? kubectl(result, rest, 'merge') : result;
}

/** `# Kind ns/name` (or `# Kind name` for cluster-scoped kinds) and the body of each snippet of a fix. */
function snippets(fix: string): { kind: string; namespace?: string; name: string; body: unknown }[] {
  return fix
    .split(/^---$/m)
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const header = /^# (\S+) (?:([^/\s]+)\/)?(\S+)\n/.exec(part.trimStart());
      if (!header) throw new Error(`fix snippet without a '# Kind ns/name' header:\n${part}`);
      const [, kind, namespace, name] = header;
      return { kind: kind!, ...(namespace ? { namespace } : {}), name: name!, body: yaml.load(part) };
    });
}

function applyFixes(objects: KubeObject[], findings: readonly Finding[]): KubeObject[] {
  let out = objects;
  for (const finding of findings) {
    for (const snippet of snippets(finding.fix.yaml ?? '')) {
      const matches = (o: KubeObject): boolean =>
        o.kind === snippet.kind &&
        o.metadata?.name === snippet.name &&
        (snippet.kind === 'Namespace' || (o.metadata?.namespace ?? 'default') === snippet.namespace);
      const body = snippet.body as KubeObject;
      if (body.apiVersion !== undefined && body.kind !== undefined) {
        // A whole object (a PodDisruptionBudget to add): created, or replacing one of the same name, as
        // `kubectl apply` of a new manifest would.
        out = [...out.filter((o) => !matches(o)), body];
        continue;
      }
      if (!out.some(matches)) {
        // A fix may label a Namespace the input does not hold: it then creates it, as `kubectl label` cannot.
        expect(snippet.kind, `${finding.ruleId}: the fix patches an object not in the input`).toBe(
          'Namespace',
        );
        out = [...out, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: snippet.name } }];
      }
      out = out.map((o) =>
        matches(o) ? applySnippet(o, snippet.body as { spec?: { template?: unknown } }) : o,
      );
    }
  }
  return out;
}

function validate(file: string, text: string) {
  return validateManifests([{ file, text }], { allowances: createAllowances() });
}

const cases = RULES.filter((rule) => rule.scope === 'static').flatMap((rule) =>
  readdirSync(join(FIXTURES, rule.id, 'fires'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => ({
      name: `${rule.id} ${file.replace(/\.yaml$/, '')}: ${rule.id === 'DG015' ? 'no snippet, a sentence on what to state' : `the fix applies as a strategic-merge patch and leaves ${rule.id} quiet`}`,
      rule: rule.id,
      file: join(FIXTURES, rule.id, 'fires', file),
    })),
);

describe.skipIf(!hasPeer('kube'))('fix snippets, applied with kubectl', () => {
  it.each(cases)('$name', ({ rule, file }) => {
    const text = readFileSync(file, 'utf8');
    const before = validate(file, text).findings.filter((finding) => finding.ruleId === rule);
    expect(before.length).toBeGreaterThan(0);
    if (rule === 'DG015') {
      // The one rule without a snippet: only the author of an httpGet or script hook knows how long it takes.
      expect(before.map((finding) => finding.fix.yaml)).toEqual(before.map(() => undefined));
      expect(before[0]?.fix.summary).toContain('lifecycle.preStop.sleep.seconds');
      return;
    }
    const objects = yaml
      .loadAll(text)
      .filter((doc): doc is KubeObject => doc !== null && typeof doc === 'object');
    const patched = applyFixes(objects, before);
    const after = validate(file, patched.map((o) => yaml.dump(o)).join('---\n'));
    expect(after.problems).toEqual([]);
    expect(after.findings.filter((finding) => finding.ruleId === rule).map((f) => f.message)).toEqual([]);
  });
});
