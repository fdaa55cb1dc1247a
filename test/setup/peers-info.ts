import type { PeerName } from './toolchain.js';

export type { PeerName };

/** What the global setup hands to the integration tests (through vitest's provide/inject). */
export interface PeersInfo {
  aws?: {
    /** moto_server, e.g. http://127.0.0.1:45123 */
    endpoint: string;
    region: string;
    accessKeyId: string;
    secretAccessKey: string;
  };
  kube?: {
    /** https://127.0.0.1:<port> */
    server: string;
    kubeconfig: string;
    caFile: string;
    /** A token in system:masters, for setup. */
    adminToken: string;
    version: string;
    /** kubectl of the same version. */
    kubectl?: string;
  };
  helm?: { bin: string; version: string };
  argo?: { judge: string; version: string };
  /** The CNCF distribution registry binary (not running: a test starts its own). */
  registry?: { bin: string; version: string };
  actionlint?: { bin: string; version: string };
  /**
   * Controllers that turn the API server into a cluster: built once, but started per test file by
   * test/setup/control-plane.ts (they would change what every other test sees: Deployments that get pods…).
   */
  control?: {
    kubeControllerManager: string;
    rolloutsController: string;
    experimentCrd: string;
    kubernetesVersion: string;
    argoRolloutsVersion: string;
  };
  /** Peers that are not running, with the precise reason (what to install). Only ever non-empty locally. */
  missing: Partial<Record<PeerName, string>>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    peers: PeersInfo;
  }
}
