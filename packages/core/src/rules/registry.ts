import { missingPreStop } from './dg001-missing-prestop.js';
import { preStopTooShort } from './dg002-prestop-too-short.js';
import { preStopShorterThanDeregistration } from './dg003-prestop-shorter-than-deregistration.js';
import { gracePeriodTooShort } from './dg004-grace-period-too-short.js';
import { defaultDeregistrationDelay } from './dg005-default-deregistration-delay.js';
import { noReadinessGate } from './dg006-no-readiness-gate.js';
import { instanceTargetType } from './dg007-instance-target-type.js';
import { rollingUpdateCapacity } from './dg008-rolling-update-capacity.js';
import { minReadyBelowRegistration } from './dg009-min-ready-below-registration.js';
import { missingReadinessProbe } from './dg010-missing-readiness-probe.js';
import { healthCheckTiming } from './dg011-health-check-timing.js';
import { keepAliveBelowIdleTimeout } from './dg012-keepalive-below-idle-timeout.js';
import { execSleepPreStop } from './dg013-exec-sleep-prestop.js';
import { missingPdb } from './dg014-missing-pdb.js';
import { preStopUnverifiable } from './dg015-prestop-unverifiable.js';
import { rolloutScaleDownDelay } from './dg016-rollout-scale-down-delay.js';
import { healthCheckPathMismatch } from './dg017-health-check-path-mismatch.js';
import { targetGroupUnattached } from './dg018-target-group-unattached.js';
import { healthCheckBlockReplaced } from './dg019-health-check-block-replaced.js';
import { ingressAnnotationsOnGatewayBackend } from './dg020-ingress-annotations-on-gateway-backend.js';
import type { Rule } from './types.js';

/** Every rule, in id order. Ids are never reused. */
export const RULES: readonly Rule[] = [
  missingPreStop,
  preStopTooShort,
  preStopShorterThanDeregistration,
  gracePeriodTooShort,
  defaultDeregistrationDelay,
  noReadinessGate,
  instanceTargetType,
  rollingUpdateCapacity,
  minReadyBelowRegistration,
  missingReadinessProbe,
  healthCheckTiming,
  keepAliveBelowIdleTimeout,
  execSleepPreStop,
  missingPdb,
  preStopUnverifiable,
  rolloutScaleDownDelay,
  healthCheckPathMismatch,
  targetGroupUnattached,
  healthCheckBlockReplaced,
  ingressAnnotationsOnGatewayBackend,
];

/** A rule by id (`DG004`) or slug (`grace-period-too-short`), case-insensitive. */
export function findRule(idOrSlug: string, rules: readonly Rule[] = RULES): Rule | undefined {
  const key = idOrSlug.trim().toLowerCase();
  return rules.find((rule) => rule.id.toLowerCase() === key || rule.slug === key);
}
