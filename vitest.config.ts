import { defineConfig } from 'vitest/config';

// Credentials and region for the SDK: fake, because every call goes to aws-sdk-client-mock or to
// the emulator on loopback. Each integration test file points AWS_ENDPOINT_URL at its own emulator.
const env = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_METRICS_NAMESPACE: 'AlbStaticIp',
};

export default defineConfig({
  test: {
    env,
    restoreMocks: true,
    unstubEnvs: true,
    setupFiles: ['test/support/setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'template',
          include: ['test/template/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
