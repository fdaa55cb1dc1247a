import type { PodView, Target } from './alb.js';

/** A simulated pod: its Kubernetes conditions, its process, and its targets. Internal to the engine. */
export interface Pod extends PodView {
  readonly id: number;
  /** 0: the old revision, 1: the new one. */
  readonly revision: 0 | 1;
  /** Which target group's health the readiness gate waits for. */
  readonly gateGroup: number;
  containersReady: boolean;
  gateTrue: boolean;
  ready: boolean;
  available: boolean;
  terminating: boolean;
  /** When the process exited and cut its in-flight requests (Infinity while it runs). */
  cutAt: number;
  inflight: number;
  /** stop-accepting: exits as soon as the last in-flight request is done. */
  exitWhenIdle: boolean;
  /** When its connection last went idle: the end of its latest response (one connection per pod). */
  idleSince: number;
  /** Whether kube-proxy currently sends traffic to it (instance targets). */
  proxied: boolean;
  /** Its target in each target group (index 0 stable, 1 canary), once registered. */
  readonly targets: (Target<Pod> | null)[];
  /** Which target groups' Services select it. */
  readonly memberOf: boolean[];
}
