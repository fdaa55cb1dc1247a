import { createRollingStrategy, createScenario } from './scenario.js';
import type { SimulationScenario } from './scenario.js';

/** A configuration from one of the reference articles, before and after its fix, with what it observed. */
export interface ReferenceCase {
  readonly id: string;
  readonly title: string;
  /** What the article measured, in its words and numbers. */
  readonly observed: string;
  /** Parameters the article does not state, and what was assumed for them. */
  readonly assumptions: readonly string[];
  readonly before: SimulationScenario;
  readonly after: SimulationScenario;
}

// Reference 000 (Preset): Superset behind an ALB, ip targets, Vegeta at ~50 req/s for ~37 s, no preStop;
// the fix was an exec `sleep 30` preStop with the default 30 s grace period.
const presetBefore = createScenario({
  replicas: 3,
  strategy: createRollingStrategy(3),
  targetType: 'ip',
  preStopSeconds: 0,
  preStopAction: 'exec',
  propagationSeconds: 12,
  controllerLatencySeconds: 2,
  startupSeconds: 10,
  rps: 50,
  arrivals: 'constant',
  warmupSeconds: 10,
  durationSeconds: 37,
});

// Reference 001 (2048 game): 5 replicas, maxSurge/maxUnavailable 25 %, ip targets, a curl loop every 0.1 s;
// nginx exits at once on SIGTERM. The fix: readiness gate, exec `sleep 40`, grace 70.
const gameBefore = createScenario({
  replicas: 5,
  strategy: createRollingStrategy(5, '25%', '25%'),
  targetType: 'ip',
  shutdownBehaviour: 'exit',
  startupSeconds: 3,
  rps: 9,
  arrivals: 'constant',
  requestMedianMs: 10,
  requestP99Ms: 13,
});

// Reference 002 (jiameng-api): 2 pods with the readiness gate on, a Go server that exits at once, a request
// script at a few requests/s; still 504s from draining targets. The fix: grace > preStop > deregistration delay.
// Timings as in examples/reference-002-draining-504: a 5 s sleep before, 45 > 35 ≥ 30 after.
const goBefore = createScenario({
  replicas: 2,
  strategy: createRollingStrategy(2, 1, 0),
  targetType: 'ip',
  readinessGate: true,
  preStopSeconds: 5,
  shutdownBehaviour: 'exit',
  startupSeconds: 2,
  rps: 5,
  arrivals: 'constant',
});

/** The three reference articles' configurations (DESIGN `reference/`), for tests, docs and the quick start. */
export const REFERENCE_CASES: readonly ReferenceCase[] = [
  {
    id: '000',
    title: 'Preset: Superset on EKS, Vegeta at 50 req/s',
    observed:
      'Vegeta over 37 s: 78.24 % success, 200:1456 502:86 504:319; after a preStop `sleep 30`: 100 %, 200:2667',
    assumptions: [
      '3 replicas, default rolling update (25 %: maxSurge 1, maxUnavailable 0)',
      'propagation 12 s (the article measured a 12 s minimum), controller latency 2 s',
      'app closes its listener on SIGTERM and drains (gunicorn); 10 s start-up; no readiness gate',
      'rollout starts 10 s into the 37 s attack; after the fix (exec sleep 30, grace 60 as in examples/) it ran 53 s',
    ],
    before: presetBefore,
    after: { ...presetBefore, preStopSeconds: 30, terminationGracePeriodSeconds: 60, durationSeconds: 53 },
  },
  {
    id: '001',
    title: '2048 game: 5 replicas, ip targets',
    observed: '502s for 10–15 s in ip mode; none with a readiness gate, preStop `sleep 40` and grace 70',
    assumptions: [
      'a curl loop every 0.1 s: about 9 req/s of 10 ms requests',
      'nginx exits at once on SIGTERM (fast shutdown); 3 s start-up',
    ],
    before: gameBefore,
    after: {
      ...gameBefore,
      readinessGate: true,
      preStopSeconds: 40,
      preStopAction: 'exec',
      terminationGracePeriodSeconds: 70,
    },
  },
  {
    id: '002',
    title: 'jiameng-api: 2 pods, readiness gate on',
    observed:
      'still 504s from draining targets whose pod had exited; none with grace > preStop > deregistration delay',
    assumptions: [
      'about 5 req/s from the test script; a Go server that exits at once on SIGTERM',
      'a 5 s preStop before; grace 45 s > preStop 35 s ≥ deregistration delay 30 s after (the article gives the order, not the values; as in examples/)',
    ],
    before: goBefore,
    after: {
      ...goBefore,
      preStopSeconds: 35,
      terminationGracePeriodSeconds: 45,
      deregistrationDelaySeconds: 30,
    },
  },
];
