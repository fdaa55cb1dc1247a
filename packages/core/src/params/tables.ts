import { CANARY_DEFAULTS, CANARY_METHODS } from '../checks/canary.js';
import { LATENCY_DEFAULTS, LATENCY_PERCENTILES } from '../checks/latency.js';
import { ELB_5XX_DEFAULTS } from '../checks/elb-5xx.js';
import { DEFAULT_INCOMPLETE_MINUTES } from '../checks/series.js';
import { GATE_DEFAULTS } from '../rollout-gate/watch.js';
import { durationText } from './grammar.js';
import type { Grammar } from './grammar.js';
import type { Parameter } from './parameter.js';

/** CloudWatch keeps one-minute datapoints for 15 days; a window is at most a day of them. */
const WINDOW: Grammar = {
  kind: 'duration',
  unit: 'minutes',
  whole: true,
  minSeconds: 60,
  maxSeconds: 1440 * 60,
};
const MANY = 1e12;
const percent = (rate: number): string => `${Number((rate * 100).toPrecision(6))}%`;

const window: Parameter = {
  name: 'window',
  field: 'windowMinutes',
  grammar: WINDOW,
  default: durationText(ELB_5XX_DEFAULTS.windowMinutes * 60),
  description: 'how far back to look, in complete minutes before now',
};
const incompleteMinutes: Parameter = {
  name: 'incomplete-minutes',
  field: 'incompleteMinutes',
  grammar: { kind: 'count', max: 15 },
  default: String(DEFAULT_INCOMPLETE_MINUTES),
  description: 'the newest minutes CloudWatch may not have filled yet, left out of the window',
};
const includeIncomplete: Parameter = {
  name: 'include-incomplete',
  field: 'includeIncomplete',
  grammar: { kind: 'boolean' },
  default: 'false',
  description: 'judge the incomplete newest minutes too',
};

/** The `elb-5xx` check's tunables (the load balancer and target groups are each front end's own). */
export const ELB_5XX_PARAMETERS: readonly Parameter[] = [
  window,
  {
    name: 'max-rate',
    field: 'maxRate',
    grammar: { kind: 'rate' },
    default: percent(ELB_5XX_DEFAULTS.maxRate),
    description: 'fail above this 5xx rate: (ELB 5xx + target 5xx) / requests',
  },
  {
    name: 'max-count',
    field: 'maxCount',
    grammar: { kind: 'count', max: MANY },
    description: 'fail above this many 5xx, whatever the traffic',
  },
  {
    name: 'min-requests',
    field: 'minRequests',
    grammar: { kind: 'count', max: MANY },
    default: String(ELB_5XX_DEFAULTS.minRequests),
    description: 'below this many requests the rate is not judged (see below-minimum)',
  },
  {
    name: 'below-minimum',
    field: 'belowMinimum',
    grammar: { kind: 'choice', choices: ['Successful', 'Failed', 'Inconclusive'] },
    default: ELB_5XX_DEFAULTS.belowMinimum,
    description: 'the phase when there are fewer requests than min-requests',
  },
  incompleteMinutes,
  includeIncomplete,
  {
    name: 'deployed-at',
    field: 'deployedAt',
    grammar: { kind: 'time' },
    description: 'when the deployment started, for a baseline window just before it',
  },
  {
    name: 'baseline',
    field: 'baselineMinutes',
    grammar: WINDOW,
    description: 'length of the baseline window before deployed-at (default: the window)',
  },
  {
    name: 'baseline-factor',
    field: 'baselineFactor',
    grammar: { kind: 'number', min: 0, max: 1000 },
    default: String(ELB_5XX_DEFAULTS.baselineFactor),
    description: 'fail when the rate exceeds this × the baseline rate (plus baseline-margin)',
  },
  {
    name: 'baseline-margin',
    field: 'baselineMargin',
    grammar: { kind: 'rate' },
    default: percent(ELB_5XX_DEFAULTS.baselineMargin),
    description: 'a rate added to the baseline, so that a quiet baseline does not fail on one 5xx',
  },
  {
    name: 'baseline-min-requests',
    field: 'baselineMinRequests',
    grammar: { kind: 'count', max: MANY },
    default: String(ELB_5XX_DEFAULTS.baselineMinRequests),
    description: 'below this many baseline requests the baseline is not used',
  },
  {
    name: 'split-elb-codes',
    field: 'splitElbCodes',
    grammar: { kind: 'boolean' },
    default: 'false',
    description: 'also read the ELB 500, 502, 503 and 504 counts separately',
  },
];

/** The `target-health` check's tunables. */
export const TARGET_HEALTH_PARAMETERS: readonly Parameter[] = [
  {
    name: 'min-healthy',
    field: 'minHealthy',
    grammar: { kind: 'count', max: 10_000 },
    default: '1',
    description: 'fail with fewer healthy targets than this',
  },
  {
    name: 'registration-window',
    field: 'registrationWindowSeconds',
    grammar: { kind: 'duration', minSeconds: 0, maxSeconds: 3600 },
    description:
      'how long a target may stay initial or unhealthy (default: the controller latency + interval × healthy threshold)',
  },
  {
    name: 'unowned-targets',
    field: 'unownedTargets',
    grammar: { kind: 'choice', choices: ['fail', 'report'] },
    default: 'fail',
    description: 'what a healthy target that no pod of the workload owns does to the verdict',
  },
];

/** The `canary` check's tunables. */
export const CANARY_PARAMETERS: readonly Parameter[] = [
  {
    name: 'method',
    field: 'method',
    grammar: { kind: 'choice', choices: CANARY_METHODS },
    default: CANARY_DEFAULTS.method,
    description:
      'fisher (one look at a window) or sequential (every minute since --since, valid however often asked)',
    surfaces: ['cli', 'provider'],
  },
  { ...window, description: 'fisher: how far back to look, in complete minutes before now' },
  {
    name: 'since',
    field: 'since',
    grammar: { kind: 'time' },
    description: 'sequential: when the canary started',
    surfaces: ['cli', 'provider'],
  },
  {
    name: 'alpha',
    field: 'alpha',
    grammar: { kind: 'number', min: 0, exclusiveMin: true, max: 0.5 },
    default: String(CANARY_DEFAULTS.alpha),
    description: 'significance level of the test',
  },
  {
    name: 'min-relative-effect',
    field: 'minRelativeEffect',
    grammar: { kind: 'number', min: 0, max: 100 },
    default: String(CANARY_DEFAULTS.minRelativeEffect),
    description: 'sequential: tolerate a canary rate up to (1 + this) × the stable one’s',
    surfaces: ['cli', 'provider'],
  },
  {
    name: 'min-canary-requests',
    field: 'minCanaryRequests',
    grammar: { kind: 'count', min: 1, max: MANY },
    default: String(CANARY_DEFAULTS.minCanaryRequests),
    description: 'below this many canary requests the verdict is Inconclusive',
  },
  {
    name: 'min-stable-requests',
    field: 'minStableRequests',
    grammar: { kind: 'count', min: 1, max: MANY },
    default: String(CANARY_DEFAULTS.minStableRequests),
    description: 'below this many stable requests the verdict is Inconclusive',
  },
  {
    name: 'min-rate-difference',
    field: 'minRateDifference',
    grammar: { kind: 'rate' },
    default: percent(CANARY_DEFAULTS.minRateDifference),
    description: 'a canary rate above the stable one by less than this passes',
  },
  {
    name: 'confidence',
    field: 'confidence',
    grammar: { kind: 'number', min: 0.5, max: 0.999 },
    default: String(CANARY_DEFAULTS.confidence),
    description: 'confidence of the effect-size intervals in the details',
  },
  {
    name: 'count-connection-errors',
    field: 'countConnectionErrors',
    grammar: { kind: 'boolean' },
    default: String(CANARY_DEFAULTS.countConnectionErrors),
    description: 'count TargetConnectionErrorCount as errors (refused connections of a badly drained pod)',
  },
  incompleteMinutes,
  includeIncomplete,
];

const gateDuration = (
  name: string,
  field: string,
  seconds: number,
  description: string,
  minSeconds = 0,
): Parameter => ({
  name,
  field,
  grammar: { kind: 'duration', minSeconds, exclusiveMin: minSeconds === 0, maxSeconds: 86_400 },
  default: durationText(seconds),
  description,
});

const byName = (table: readonly Parameter[], name: string): Parameter => {
  const found = table.find((parameter) => parameter.name === name);
  if (!found) throw new Error(`no parameter ${name}`);
  return found;
};

/** The `latency` check's tunables (the load balancer, the target groups and the canary's pods are each front end's own). */
export const LATENCY_PARAMETERS: readonly Parameter[] = [
  {
    name: 'percentile',
    field: 'percentile',
    grammar: { kind: 'choice', choices: LATENCY_PERCENTILES },
    default: LATENCY_DEFAULTS.percentile,
    description:
      "the TargetResponseTime percentile of the canary compared with the stable one's, minute by minute",
  },
  {
    name: 'since',
    field: 'since',
    grammar: { kind: 'time' },
    description: 'when the canary started: every minute since is judged (instead of a window)',
  },
  {
    ...window,
    default: undefined,
    description: `without since: how far back to look, in complete minutes before now (default ${durationText(LATENCY_DEFAULTS.windowMinutes * 60)})`,
  },
  {
    name: 'alpha',
    field: 'alpha',
    grammar: { kind: 'number', min: 0, exclusiveMin: true, max: 0.5 },
    default: String(LATENCY_DEFAULTS.alpha),
    description: 'the false-alarm rate, however often the check is asked',
  },
  {
    name: 'min-relative-effect',
    field: 'minRelativeEffect',
    grammar: { kind: 'number', min: 0, max: 100 },
    default: String(LATENCY_DEFAULTS.minRelativeEffect),
    description:
      "a minute counts against the canary when its percentile is above (1 + this) × the stable one's",
  },
  {
    name: 'min-requests-per-minute',
    field: 'minRequestsPerMinute',
    grammar: { kind: 'count', min: 1, max: MANY },
    default: String(LATENCY_DEFAULTS.minRequestsPerMinute),
    description: 'a minute with fewer requests in either group is not judged',
  },
  {
    name: 'min-minutes',
    field: 'minMinutes',
    grammar: { kind: 'count', min: 1, max: 1440 },
    default: String(LATENCY_DEFAULTS.minMinutes),
    description: 'fewer judged minutes, and not Failed, is Inconclusive',
  },
  incompleteMinutes,
];

/**
 * The rollout gate's parameters (`draingate gate`, the Action's `command: gate`); `field` is the key of
 * `GateSettings`. The elb-5xx and target-health tunables are the checks' own, under the gate's names.
 */
export const GATE_PARAMETERS: readonly Parameter[] = [
  {
    name: 'workload',
    field: 'workload',
    grammar: { kind: 'text' },
    description: 'the workload, as deployment/NAME, rollout/NAME, statefulset/NAME or daemonset/NAME',
  },
  {
    name: 'namespace',
    field: 'namespace',
    flag: '-n, --namespace',
    grammar: { kind: 'text' },
    default: 'default',
    description: 'namespace of the workload',
  },
  {
    name: 'target-groups',
    field: 'targetGroups',
    flag: 'target-group',
    repeatable: true,
    grammar: { kind: 'list' },
    description:
      'target group ARNs to watch (default: those whose TargetGroupBinding points at a Service of the workload)',
  },
  {
    name: 'load-balancer',
    field: 'loadBalancer',
    grammar: { kind: 'text' },
    description: 'ARN of the ALB whose 5xx CloudWatch counts (default: 5xx are not judged)',
  },
  {
    name: 'canary-target-group',
    field: 'canaryTargetGroup',
    grammar: { kind: 'text' },
    description:
      'ARN of a canary target group compared with stable-target-group on load-balancer over every minute since the gate started: its 5xx (anytime-valid sequential test) and its latency fail the gate when worse (default: no canary)',
  },
  {
    name: 'stable-target-group',
    field: 'stableTargetGroup',
    grammar: { kind: 'text' },
    description: 'ARN of the stable target group the canary is compared with (with canary-target-group)',
  },
  {
    name: 'canary-checks',
    field: 'canaryChecks',
    grammar: { kind: 'choice', choices: ['both', 'errors', 'latency'] },
    default: 'both',
    description: 'which canary comparisons: its 5xx rate (errors), its latency, or both',
  },
  { ...byName(LATENCY_PARAMETERS, 'percentile'), name: 'latency-percentile', field: 'latencyPercentile' },
  {
    name: 'kubeconfig',
    field: 'kubeconfig',
    grammar: { kind: 'text' },
    description: 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)',
  },
  {
    name: 'kube-context',
    field: 'kubeContext',
    flag: 'context',
    grammar: { kind: 'text' },
    description: 'kubeconfig context (default: its current-context)',
  },
  {
    name: 'aws-region',
    field: 'awsRegion',
    flag: 'region',
    grammar: { kind: 'text' },
    description:
      "AWS region of CloudWatch (default: the load balancer's, else AWS_REGION or the SDK configuration)",
  },
  gateDuration(
    'timeout',
    'timeoutSeconds',
    GATE_DEFAULTS.timeoutSeconds,
    'fail when the rollout has not completed within this',
  ),
  gateDuration(
    'poll-interval',
    'pollIntervalSeconds',
    GATE_DEFAULTS.pollIntervalSeconds,
    'how often rollout status and target health are read',
  ),
  gateDuration(
    'metrics-interval',
    'metricsIntervalSeconds',
    GATE_DEFAULTS.metricsIntervalSeconds,
    'how often CloudWatch is read (its ALB metrics have a 60 s resolution)',
  ),
  {
    ...gateDuration(
      'settle',
      'settleSeconds',
      GATE_DEFAULTS.settleSeconds,
      'keep watching this long after the rollout completes, while old targets drain',
    ),
    grammar: { kind: 'duration', minSeconds: 0, maxSeconds: 86_400 },
  },
  { ...byName(ELB_5XX_PARAMETERS, 'max-rate'), name: 'max-error-rate', field: 'maxErrorRate' },
  { ...byName(ELB_5XX_PARAMETERS, 'max-count'), name: 'max-5xx', field: 'max5xx' },
  byName(ELB_5XX_PARAMETERS, 'min-requests'),
  byName(TARGET_HEALTH_PARAMETERS, 'min-healthy'),
  byName(TARGET_HEALTH_PARAMETERS, 'registration-window'),
  {
    name: 'fail-after-polls',
    field: 'failAfterPolls',
    grammar: { kind: 'count', min: 1, max: 1000 },
    default: String(GATE_DEFAULTS.failAfterPolls),
    description: 'failed target-health polls in a row that fail the gate',
  },
  {
    name: 'on-failure',
    field: 'onFailure',
    grammar: { kind: 'choice', choices: ['rollback', 'abort', 'none'] },
    default: 'none',
    description:
      'what to do when the gate fails: rollback (Deployment: previous revision; Rollout: abort and back to the stable template), abort (Rollout: abort only, keeping its template) or none',
  },
  {
    name: 'dry-run',
    field: 'dryRun',
    grammar: { kind: 'boolean' },
    default: 'false',
    description: 'send the rollback or abort as a server-side dry run: validated, nothing changed',
  },
];

/**
 * `draingate rollback` and the Action's `command: rollback`: the gate's rows for the workload, the cluster and
 * the action, under the same names, so a rollback reads them as the gate that would have rolled back does.
 */
export const ROLLBACK_PARAMETERS: readonly Parameter[] = [
  'workload',
  'namespace',
  'kubeconfig',
  'kube-context',
  'on-failure',
  'dry-run',
].map((name) => byName(GATE_PARAMETERS, name));

/** Every table by the check or command it belongs to, for the docs and the agreement tests. */
export const PARAMETER_TABLES = {
  'check elb-5xx': ELB_5XX_PARAMETERS,
  'check target-health': TARGET_HEALTH_PARAMETERS,
  'check canary': CANARY_PARAMETERS,
  'check latency': LATENCY_PARAMETERS,
  gate: GATE_PARAMETERS,
} as const satisfies Readonly<Record<string, readonly Parameter[]>>;
