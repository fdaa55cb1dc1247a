// Loaded with --import by startup.test.ts: fails any attempt to load the AWS SDK or the Kubernetes client,
// so the test proves offline commands never pay for them. The bundled CLI (dist/draingate.js) has no
// package names left to resolve, so the hook also reads each module it loads for the path comments the
// bundler writes above every bundled file.
import { registerHooks } from 'node:module';

const SPECIFIER = /^@aws-sdk\/|^@smithy\/|^@kubernetes\/|^@draingate\/(aws|kube)$/;
const BUNDLED = [
  ['@draingate/aws', '// packages/aws/src/'],
  ['@draingate/kube', '// packages/kube/src/'],
  ['@aws-sdk', '// node_modules/@aws-sdk/'],
  ['@smithy', '// node_modules/@smithy/'],
  ['@kubernetes/client-node', '// node_modules/@kubernetes/client-node/'],
];

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (SPECIFIER.test(specifier)) throw new Error(`offline command loaded ${specifier}`);
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    const result = nextLoad(url, context);
    if (url.startsWith('file:') && result.source) {
      const source = String(result.source);
      const found = BUNDLED.find(([, marker]) => source.includes(marker));
      if (found) throw new Error(`offline command loaded ${found[0]} (${url.split('/').pop()})`);
    }
    return result;
  },
});
