import { servingContainers } from '../model/facts.js';
import { createFinding } from './support.js';
import type { Rule } from './types.js';

export const preStopUnverifiable: Rule = {
  id: 'DG015',
  slug: 'prestop-unverifiable',
  title: 'preStop delay cannot be determined',
  severity: 'info',
  scope: 'static',
  rationale:
    'draingate can only check drain timing it can read. An httpGet hook or a script without a plain sleep takes as long as it takes, so the rules that compare the preStop delay with propagation, deregistration and the grace period cannot judge this container.',
  remediation:
    'Make the delay explicit: the native sleep action, or a script that starts with `sleep N`; or suppress this rule with draingate.io/ignore and a reason once you have measured the hook.',
  evaluate(context) {
    return servingContainers(context.facts).flatMap((container) => {
      const preStop = container.preStop;
      if (preStop.kind !== 'unknown') return [];
      return [
        createFinding(this, context, {
          container: container.name,
          path: [...container.path, 'lifecycle', 'preStop'],
          message: `the preStop delay of container ${container.name} cannot be determined: ${preStop.reason}.`,
          values: [{ name: 'preStop form', value: preStop.form }],
          fix: {
            summary:
              'state the delay with lifecycle.preStop.sleep.seconds, or a script that begins with sleep N',
          },
        }),
      ];
    });
  },
};
