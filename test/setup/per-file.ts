// setupFiles of the `integration` project: runs in the test worker before each test file.

import { inject } from 'vitest';
import { resetMoto } from '../peers/index.js';

const peers = inject('peers');

// Code under test that builds its own clients (the CLI, adapters with default config) finds the peers through
// the standard variables. Set here, not in the global setup, so that the unit and cli projects never see them.
if (peers.aws) {
  process.env.AWS_ENDPOINT_URL = peers.aws.endpoint;
  process.env.AWS_REGION = peers.aws.region;
  process.env.AWS_ACCESS_KEY_ID = peers.aws.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = peers.aws.secretAccessKey;
  delete process.env.AWS_PROFILE;
  // Each test file starts from an empty AWS account.
  await resetMoto();
}
if (peers.kube) process.env.KUBECONFIG = peers.kube.kubeconfig;
if (peers.helm) process.env.DRAINGATE_HELM = peers.helm.bin;
if (peers.argo) process.env.DRAINGATE_ARGO_JUDGE = peers.argo.judge;
