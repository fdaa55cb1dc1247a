import { ALB, NLB } from '../model/annotations.js';
import type { HealthCheckField } from '../model/gateway.js';
import { AWS_RANGES } from '../timing/defaults.js';
import {
  backendLabel,
  backendSettingFix,
  createFinding,
  onePerSetting,
  quote,
  settingsAt,
  settingsObject,
  value,
} from './support.js';
import type { Finding, Rule } from './types.js';

/** Each health check setting AWS bounds (`AWS_RANGES` under the same key): its name, and where it is set. */
const CHECKS: readonly {
  readonly name: string;
  readonly setting: NumericSetting;
  readonly annotation:
    'healthCheckInterval' | 'healthCheckTimeout' | 'healthyThreshold' | 'unhealthyThreshold';
  readonly field: HealthCheckField;
}[] = [
  {
    name: 'health check interval',
    setting: 'healthCheckIntervalSeconds',
    annotation: 'healthCheckInterval',
    field: 'healthCheckInterval',
  },
  {
    name: 'health check timeout',
    setting: 'healthCheckTimeoutSeconds',
    annotation: 'healthCheckTimeout',
    field: 'healthCheckTimeout',
  },
  {
    name: 'healthy threshold',
    setting: 'healthyThresholdCount',
    annotation: 'healthyThreshold',
    field: 'healthyThresholdCount',
  },
  {
    name: 'unhealthy threshold',
    setting: 'unhealthyThresholdCount',
    annotation: 'unhealthyThreshold',
    field: 'unhealthyThresholdCount',
  },
];

type NumericSetting =
  | 'healthCheckIntervalSeconds'
  | 'healthCheckTimeoutSeconds'
  | 'healthyThresholdCount'
  | 'unhealthyThresholdCount';

export const healthCheckTiming: Rule = {
  id: 'DG011',
  slug: 'health-check-timing',
  title: 'Health check settings AWS will reject',
  severity: 'error',
  scope: 'static',
  rationale:
    'AWS requires each health check setting within its range (interval 5–300 s, timeout 2–120 s, thresholds 2–10) and, for an ALB’s target groups, the timeout shorter than the interval. (An NLB accepts a timeout equal to its interval: the controller’s own NLB default is a 10 s TCP check every 10 s.) The controller fails to reconcile a target group AWS refuses, so the change never reaches the load balancer and the old settings (or none) stay in force.',
  remediation:
    'Keep every health check setting within AWS’s range and, on an ALB, alb.ingress.kubernetes.io/healthcheck-timeout-seconds below healthcheck-interval-seconds.',
  evaluate(context) {
    return onePerSetting(context.facts.backends, ({ settings }) => [
      settings.healthCheckIntervalSeconds,
      settings.healthCheckTimeoutSeconds,
      settings.healthyThresholdCount,
      settings.unhealthyThresholdCount,
    ]).flatMap((backend) => {
      const s = backend.settings;
      const object = settingsObject(backend);
      const keys = backend.loadBalancer === 'alb' ? ALB : NLB;
      const findings: Finding[] = [];
      for (const { name, setting: key, annotation: annotationKey, field } of CHECKS) {
        const setting = s[key];
        const [min, max] = AWS_RANGES[key];
        if (setting.value >= min && setting.value <= max) continue;
        const annotation = keys[annotationKey];
        const fix = backendSettingFix(backend, annotation, {
          healthCheck: field,
          value: Math.min(max, Math.max(min, setting.value)),
        });
        findings.push(
          createFinding(this, context, {
            object,
            ...settingsAt(backend, setting.from),
            message: `the ${name} of ${backendLabel(backend)} is ${quote(setting, name.includes('threshold') ? '' : 's')}, outside AWS's range ${min}–${max}.`,
            values: [value(name, undefined, setting, name.includes('threshold') ? 'count' : 's')],
            fix: { summary: `set ${fix.setting} within ${min}–${max}`, object, yaml: fix.yaml },
          }),
        );
      }
      const interval = s.healthCheckIntervalSeconds;
      const timeout = s.healthCheckTimeoutSeconds;
      // The ALB's constraint; an NLB target group takes a timeout equal to its interval.
      if (backend.loadBalancer === 'alb' && timeout.value >= interval.value) {
        const fixed = Math.max(2, interval.value - 1);
        const fix = backendSettingFix(backend, keys.healthCheckTimeout, {
          healthCheck: 'healthCheckTimeout',
          value: fixed,
        });
        findings.push(
          createFinding(this, context, {
            object,
            ...settingsAt(backend, timeout.from),
            message: `the health check timeout of ${backendLabel(backend)}, ${quote(timeout)}, is not shorter than its interval, ${quote(interval)}.`,
            values: [
              value('health check timeout', undefined, timeout),
              value('health check interval', undefined, interval),
            ],
            fix: { summary: `set ${fix.setting} to ${fixed}`, object, yaml: fix.yaml },
          }),
        );
      }
      return findings;
    });
  },
};
