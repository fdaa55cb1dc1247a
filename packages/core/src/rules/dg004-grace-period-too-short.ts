import { createFinding, podTemplateFix, quote, servingContainerTimings, value } from './support.js';
import type { Rule } from './types.js';
import { podTemplateOwner } from '../model/objects.js';

export const gracePeriodTooShort: Rule = {
  id: 'DG004',
  slug: 'grace-period-too-short',
  title: 'Grace period shorter than preStop plus shutdown',
  severity: 'warning',
  scope: 'static',
  rationale:
    'The preStop hook runs inside terminationGracePeriodSeconds. If the grace period is shorter than the preStop delay plus the time the application needs to finish after SIGTERM, the kubelet sends SIGKILL mid-shutdown: requests still in flight after G − P seconds are cut, and so is any other shutdown work (flushing, closing connections). With requests shorter than that, none is lost, so this is a warning; DG002 judges whether new requests still arrive when the hook is cut. The API server rejects a native sleep action as long as or longer than the grace period: that is an error, as nothing of the change deploys.',
  remediation:
    'Set terminationGracePeriodSeconds above the preStop delay plus the application shutdown time (declare it with the draingate.io/shutdown-seconds annotation when it is not 5 s).',
  evaluate(context) {
    const { facts } = context;
    return servingContainerTimings(context).flatMap(({ container, timing, recommended }) => {
      if (timing.preStopSeconds === undefined) return [];
      const p = timing.preStopSeconds;
      const g = timing.graceSeconds.value;
      const s = timing.shutdownSeconds.value;
      const nativeTooLong =
        container.preStop.kind === 'sleep' && container.preStop.form === 'native' && p >= g;
      if (!nativeTooLong && g >= p + s) return [];
      const message = nativeTooLong
        ? `container ${container.name} uses the native sleep action for ${p} s, not shorter than the grace period of ${quote(timing.graceSeconds)}: the API server rejects it.`
        : `the grace period of ${quote(timing.graceSeconds)} is shorter than container ${container.name}'s preStop of ${p} s plus the shutdown time of ${quote(timing.shutdownSeconds)} (${p + s} s): the application is killed mid-shutdown.`;
      return [
        createFinding(this, context, {
          severity: nativeTooLong ? 'error' : 'warning',
          container: container.name,
          path: [...facts.workload.podSpecPath, 'terminationGracePeriodSeconds'],
          message,
          values: [
            value('grace period', 'G', timing.graceSeconds),
            { name: 'preStop', symbol: 'P', value: p, unit: 's' },
            value('shutdown', 'S', timing.shutdownSeconds),
          ],
          fix: {
            summary: `set terminationGracePeriodSeconds to ${Math.max(recommended.graceSeconds, p + s + 5)}`,
            object: podTemplateOwner(facts.workload).ref,
            yaml: podTemplateFix(facts, { grace: Math.max(recommended.graceSeconds, p + s + 5) }),
          },
        }),
      ];
    });
  },
};
