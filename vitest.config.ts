import { defineConfig } from 'vitest/config';
import { sharedTestSettings, unitProject } from './test/support/vitest-settings.js';
import { budgetFor } from './test/support/work-budget.js';

// Timeouts come from test/support/work-budget.ts. A project's defaults bound its ordinary test or
// hook; a test or hook that starts processes or builds passes its own budget, for the work it does.
export default defineConfig({
  test: {
    ...sharedTestSettings,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: unitProject },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // An integration test builds its world and runs the function: up to a few hundred calls
          // to moto. A test that makes more, and the hooks that start moto, say so themselves.
          testTimeout: budgetFor({ motoCall: 300 }),
          hookTimeout: budgetFor({ motoCall: 10 }),
        },
      },
      {
        extends: true,
        test: {
          name: 'template',
          include: ['test/template/**/*.test.ts'],
          globalSetup: ['test/template/global-setup.ts'],
          testTimeout: budgetFor({}),
          hookTimeout: budgetFor({}),
        },
      },
      {
        extends: true,
        test: {
          name: 'tooling',
          include: ['test/tooling/**/*.test.ts'],
          testTimeout: budgetFor({}),
          hookTimeout: budgetFor({}),
        },
      },
    ],
  },
});
