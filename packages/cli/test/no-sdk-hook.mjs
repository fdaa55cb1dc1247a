// Loaded with --import by startup.test.ts: fails any attempt to load the AWS SDK or the Kubernetes client,
// so the test proves offline commands never pay for them.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (/^@aws-sdk\/|^@smithy\/|^@kubernetes\/|^@draingate\/(aws|kube)$/.test(specifier)) {
      throw new Error(`offline command loaded ${specifier}`);
    }
    return nextResolve(specifier, context);
  },
});
