import type { TargetGroupSettings } from '../model/facts.js';
import type { HealthCheckField } from '../model/gateway.js';
import { HEALTH_CHECK_FIELDS } from '../model/gateway.js';
import type { Resolved } from '../model/provenance.js';
import { describeProvenance } from '../model/provenance.js';
import { gatewayConfigFix, isGatewayBackend } from './gateway-fix.js';
import { backendLabel, createFinding, settingsAt, settingsObject } from './support.js';
import type { FindingValue, Rule } from './types.js';

const SETTING: Record<HealthCheckField, keyof TargetGroupSettings> = {
  healthCheckProtocol: 'healthCheckProtocol',
  healthCheckPort: 'healthCheckPort',
  healthCheckPath: 'healthCheckPath',
  healthCheckInterval: 'healthCheckIntervalSeconds',
  healthCheckTimeout: 'healthCheckTimeoutSeconds',
  healthyThresholdCount: 'healthyThresholdCount',
  unhealthyThresholdCount: 'unhealthyThresholdCount',
};

export const healthCheckBlockReplaced: Rule = {
  id: 'DG019',
  slug: 'health-check-block-replaced',
  title: 'A TargetGroupConfiguration’s healthCheckConfig drops fields a default configuration sets',
  severity: 'warning',
  scope: 'static',
  rationale:
    'The AWS Load Balancer Controller merges the TargetGroupConfigurations of a Gateway route’s Service (the Service’s own, its route configuration, the Gateway’s and GatewayClass’s defaults) field by field at the top level only: a healthCheckConfig is taken whole from the configuration that wins, so a Service-level block that sets only a path drops the interval, thresholds and timeout the platform’s default configuration set, and they fall back to the controller’s defaults (15 s, 3 and 3, 5 s). Target group attributes merge key by key; health checks do not. The registration window, the readiness gate and how fast an unhealthy pod leaves rotation then differ from what the defaults were written to give.',
  remediation:
    'Write the whole healthCheckConfig in the winning TargetGroupConfiguration: copy the fields the default configuration sets beside the ones it overrides.',
  evaluate(context) {
    const seen = new Set<string>();
    return context.facts.backends.flatMap((backend) => {
      if (!isGatewayBackend(backend)) return [];
      const props = backend.route.config.props;
      const dropped = props?.droppedHealthCheck;
      const block = props?.healthCheck;
      if (!dropped || !block) return [];
      const fields = HEALTH_CHECK_FIELDS.filter((field) => dropped[field] !== undefined);
      if (fields.length === 0) return [];
      const object = settingsObject(backend);
      const key = `${object.namespace}/${object.name}|${fields.join(',')}|${describeProvenance(block.from)}`;
      if (seen.has(key)) return [];
      seen.add(key);
      const values: FindingValue[] = fields.flatMap((field): FindingValue[] => {
        const lost = dropped[field] as Resolved<string | number>;
        const now = backend.settings[SETTING[field]] as Resolved<string | number>;
        const unit = typeof lost.value === 'number' ? { unit: unitOf(field) } : {};
        return [
          { name: `dropped ${field}`, value: lost.value, from: lost.from, ...unit },
          { name: `effective ${field}`, value: now.value, from: now.from, ...unit },
        ];
      });
      const lostText = fields
        .map((field) => {
          const lost = dropped[field] as Resolved<string | number>;
          const now = backend.settings[SETTING[field]] as Resolved<string | number>;
          return `${field} ${String(lost.value)} (${describeProvenance(lost.from)}) becomes ${String(now.value)}`;
        })
        .join('; ');
      const restore: Partial<Record<HealthCheckField, string | number>> = {};
      for (const field of fields) restore[field] = (dropped[field] as Resolved<string | number>).value;
      return [
        createFinding(this, context, {
          object,
          ...settingsAt(backend, block.from),
          message: `the health check of ${backendLabel(backend)} is taken whole from the healthCheckConfig at ${describeProvenance(block.from)}, which leaves out fields a lower-priority TargetGroupConfiguration sets: ${lostText} (controller default).`,
          values,
          fix: {
            summary: `write the whole healthCheckConfig in ${object.kind} ${object.name}`,
            object,
            yaml: gatewayConfigFix(backend, { healthCheck: restore }),
          },
        }),
      ];
    });
  },
};

function unitOf(field: HealthCheckField): FindingValue['unit'] {
  return field === 'healthyThresholdCount' || field === 'unhealthyThresholdCount' ? 'count' : 's';
}
