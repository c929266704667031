import { budgetFor } from './work-budget.js';

/**
 * Settings every vitest configuration of the project shares: the root one (`npm test`) and the
 * unit-only one that Stryker runs (`test/unit/vitest.config.ts`).
 *
 * Credentials and region for the SDK are fake, because every call goes to aws-sdk-client-mock or to
 * the emulator on loopback. Each integration test file points AWS_ENDPOINT_URL at its own emulator.
 */
export const sharedTestSettings = {
  env: {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'AlbStaticIp',
  },
  restoreMocks: true,
  unstubEnvs: true,
  setupFiles: ['test/support/setup.ts'],
};

/**
 * The unit tests start no process and build nothing, so the default budget bounds each test and
 * hook; a test that does more says so with its own budget.
 */
export const unitProject = {
  name: 'unit',
  include: ['test/unit/**/*.test.ts'],
  testTimeout: budgetFor({}),
  hookTimeout: budgetFor({}),
};
