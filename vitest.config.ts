import { defineConfig } from 'vitest/config';

// One `npm test` runs three tiers: `unit` (pure logic, in memory, fast), `cli` (the built CLI as a process) and
// `integration` (adapters and end-to-end tests against the real peers that test/setup starts once per run).
export default defineConfig({
  // Tests run the workspaces' TypeScript sources (the `source` export condition), not their built dist.
  resolve: { conditions: ['source'] },
  ssr: {
    resolve: { conditions: ['source', 'node', 'development|production'], externalConditions: ['source'] },
  },
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'action/src/**/*.test.ts',
            'analysis-provider/src/**/*.test.ts',
            'scripts/**/*.test.ts',
            // Front ends side by side, in memory: one value must read the same on each.
            'test/agreement/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'cli',
          include: ['packages/cli/test/**/*.test.ts'],
          exclude: ['packages/cli/test/integration/**'],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'test/**/*.test.ts',
            'packages/*/test/integration/**/*.test.ts',
            'action/test/integration/**/*.test.ts',
            'analysis-provider/test/integration/**/*.test.ts',
          ],
          exclude: ['test/agreement/**'],
          // Builds (cold: minutes, once per version) or reuses, then starts moto_server, etcd, kube-apiserver,
          // helm and Argo's judge once per run; see test/README.md.
          globalSetup: ['test/setup/global-setup.ts'],
          setupFiles: ['test/setup/per-file.ts'],
          // The files share one moto and one API server, and moto is reset before each file.
          fileParallelism: false,
          // After unit and cli: on a small machine the servers and the unit workers otherwise fight for CPU.
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
