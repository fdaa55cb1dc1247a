import { servingContainers } from '../model/facts.js';
import { createFinding, podTemplateFix, preStopSleep } from './support.js';
import type { Rule } from './types.js';
import { podTemplateOwner } from '../model/objects.js';

export const execSleepPreStop: Rule = {
  id: 'DG013',
  slug: 'exec-sleep-prestop',
  title: 'preStop runs sleep where the native sleep action would do',
  severity: 'info',
  scope: 'static',
  rationale:
    'An exec preStop that only sleeps needs a shell and a sleep binary in the image; distroless and scratch images have neither, and the hook then fails at once, so the pod gets SIGTERM with no delay. The native sleep action (beta and on by default since Kubernetes 1.30, GA in 1.34) needs nothing in the image.',
  remediation: 'Replace the exec hook with lifecycle.preStop.sleep.seconds on Kubernetes 1.30 and later.',
  evaluate(context) {
    return servingContainers(context.facts).flatMap((container) => {
      const preStop = container.preStop;
      if (preStop.kind !== 'sleep' || preStop.form === 'native' || !preStop.pureSleep) return [];
      const seconds = Math.ceil(preStop.seconds);
      return [
        createFinding(this, context, {
          container: container.name,
          path: [...container.path, 'lifecycle', 'preStop'],
          message: `container ${container.name} runs \`${preStop.command ?? 'sleep'}\` in preStop; the native sleep action does the same without a shell or sleep in the image.`,
          values: [{ name: 'preStop', symbol: 'P', value: preStop.seconds, unit: 's' }],
          fix: {
            summary: `use lifecycle.preStop.sleep.seconds: ${seconds} (replace the exec hook)`,
            object: podTemplateOwner(context.facts.workload).ref,
            yaml: podTemplateFix(context.facts, {
              container: { name: container.name, fields: preStopSleep(seconds) },
            }),
          },
        }),
      ];
    });
  },
};
