import { createFinding, snippet } from './support.js';
import type { Rule } from './types.js';

export const missingPdb: Rule = {
  id: 'DG014',
  slug: 'missing-pdb',
  title: 'No PodDisruptionBudget covers the workload',
  severity: 'warning',
  scope: 'static',
  rationale:
    'Node drains and cluster upgrades evict pods outside any rollout strategy. Without a PodDisruptionBudget, a drain can evict every replica behind the ALB at once, and no drain timing can save the requests they were serving. A workload of one replica is left to DG008: a budget cannot protect a single pod.',
  remediation:
    'Add a PodDisruptionBudget that selects the workload’s pods, with maxUnavailable: 1 (or a minAvailable below the replica count).',
  evaluate(context) {
    const { workload } = context.facts;
    if (context.facts.pdbs.length > 0) return [];
    // With one replica a budget that allows one disruption protects nothing, and one that allows none blocks
    // node drains: running a second replica (DG008) is the fix, and DG008 says so.
    if (workload.replicas.value < 2) return [];
    const ref = { kind: 'PodDisruptionBudget', name: workload.ref.name, namespace: workload.ref.namespace };
    return [
      createFinding(this, context, {
        message: `no PodDisruptionBudget in namespace ${workload.ref.namespace} selects the pods of ${workload.ref.kind} ${workload.ref.name}.`,
        values: [{ name: 'PodDisruptionBudgets', value: 0, unit: 'count' }],
        fix: {
          summary: `add PodDisruptionBudget ${ref.name} with maxUnavailable: 1`,
          object: ref,
          yaml: snippet(ref, {
            apiVersion: 'policy/v1',
            kind: 'PodDisruptionBudget',
            metadata: { name: ref.name, namespace: ref.namespace },
            spec: { maxUnavailable: 1, selector: { matchLabels: { ...workload.podLabels } } },
          }),
        },
      }),
    ];
  },
};
