import { resolveRollingBudget } from '../timing/rolling-update.js';
import { createFinding, quote, snippet } from './support.js';
import type { Rule } from './types.js';

export const rollingUpdateCapacity: Rule = {
  id: 'DG008',
  slug: 'rolling-update-capacity',
  title: 'Rolling update can take out too much serving capacity',
  severity: 'warning',
  scope: 'static',
  rationale:
    'Recreate, and a StatefulSet of one replica, stop every pod before starting new ones: nothing serves in between and requests are lost, an error. A rolling update that may take every pod, or more than half of them, out at once races its new pods against the old ones’ drain, and leaves the remaining targets overloaded while new ones are still `initial`; one replica that surges first keeps its pod through a rollout but not through a drain or an eviction: warnings, as whether requests are lost depends on how fast the application starts.',
  remediation:
    'Run at least 2 replicas and set maxUnavailable to at most half of them (0 with a maxSurge of 1 or 25% is the safest).',
  evaluate(context) {
    const { workload, autoscaler } = context.facts;
    const replicas = workload.replicas.value;
    const strategy = workload.strategy;
    if (replicas === 0) return [];
    if (replicas < 2) {
      // With Kubernetes' defaults (25 % / 25 %) one replica surges first: maxUnavailable rounds down to 0 and
      // maxSurge up to 1, so the new pod is Ready before the old one goes. A rollout then keeps its one pod;
      // what a single replica cannot survive is anything else taking it away.
      const surgesFirst =
        (strategy.type === 'RollingUpdate' || strategy.type === 'Canary') &&
        workload.kind !== 'StatefulSet' &&
        resolveRollingBudget(1, strategy.maxSurge.value, strategy.maxUnavailable.value).maxUnavailable === 0;
      // An autoscaler owns the count: the floor to raise is its minimum, not spec.replicas.
      const fix = autoscaler
        ? {
            summary: `set ${autoscaler.minField} to 2 on ${autoscaler.ref.kind} ${autoscaler.ref.name}`,
            object: autoscaler.ref,
            yaml: snippet(autoscaler.ref, { spec: { [autoscaler.minField]: 2 } }),
          }
        : {
            summary: 'run at least 2 replicas',
            object: workload.ref,
            yaml: snippet(workload.ref, { spec: { replicas: 2 } }),
          };
      return [
        createFinding(this, context, {
          // A StatefulSet replaces its only pod after it has terminated: nothing serves in between, an error.
          // A Deployment creates the replacement as it deletes the pod; whether requests are lost then depends
          // on how fast the new pod starts, which no manifest says.
          severity: workload.kind === 'StatefulSet' ? 'error' : 'warning',
          ...(autoscaler
            ? { object: autoscaler.ref, at: autoscaler.minAt ?? autoscaler.ref.source }
            : { path: ['spec', 'replicas'] }),
          message: surgesFirst
            ? `the workload runs ${quote(workload.replicas, 'replica(s)')}: a rollout starts the new pod before stopping the old one, but a node drain, an eviction or a crash leaves the load balancer with no healthy target until a new pod passes its health checks.`
            : `the workload runs ${quote(workload.replicas, 'replica(s)')} and its ${workload.kind === 'StatefulSet' ? 'StatefulSet rolling update stops the pod before starting its replacement' : `${strategy.type} strategy stops the pod before starting a new one`}: every rollout takes out all of its serving capacity.`,
          values: [{ name: 'replicas', value: replicas, unit: 'count', from: workload.replicas.from }],
          fix,
        }),
      ];
    }
    if (strategy.type === 'Recreate') {
      return [
        createFinding(this, context, {
          severity: 'error',
          path: ['spec', 'strategy', 'type'],
          message: `the Recreate strategy stops all ${replicas} pods before starting new ones.`,
          values: [{ name: 'replicas', value: replicas, unit: 'count' }],
          fix: {
            summary: 'use a rolling update with maxUnavailable 0',
            object: workload.ref,
            yaml: snippet(workload.ref, {
              spec: {
                strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
              },
            }),
          },
        }),
      ];
    }
    if (strategy.type !== 'RollingUpdate' && strategy.type !== 'Canary') return [];
    const budget = resolveRollingBudget(replicas, strategy.maxSurge.value, strategy.maxUnavailable.value);
    if (budget.maxUnavailable <= replicas / 2) return [];
    const field =
      workload.kind === 'Rollout'
        ? ['spec', 'strategy', 'canary', 'maxUnavailable']
        : workload.kind === 'StatefulSet' || workload.kind === 'DaemonSet'
          ? ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable']
          : ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'];
    const all = budget.maxUnavailable >= replicas;
    return [
      createFinding(this, context, {
        path: field,
        message: all
          ? `maxUnavailable ${strategy.maxUnavailable.value} of ${replicas} replicas lets the rollout take every pod out at once: requests fail until new pods serve.`
          : `maxUnavailable ${strategy.maxUnavailable.value} of ${replicas} replicas lets the rollout take ${budget.maxUnavailable} pods (more than half) out at once.`,
        values: [
          { name: 'replicas', value: replicas, unit: 'count', from: workload.replicas.from },
          {
            name: 'maxUnavailable',
            value: budget.maxUnavailable,
            unit: 'count',
            from: strategy.maxUnavailable.from,
          },
        ],
        fix: {
          summary: 'set maxUnavailable to 0 and maxSurge to 25%',
          object: workload.ref,
          yaml: snippet(
            workload.ref,
            workload.kind === 'Rollout'
              ? { spec: { strategy: { canary: { maxSurge: '25%', maxUnavailable: 0 } } } }
              : workload.kind === 'DaemonSet'
                ? { spec: { updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } }
                : { spec: { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } } } },
          ),
        },
      }),
    ];
  },
};
