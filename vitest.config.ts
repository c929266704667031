import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { withProjectTools } from './scripts/python-tools.mjs';
import { sharedTestSettings, unitProject } from './test/support/vitest-settings.js';
import { budgetFor } from './test/support/work-budget.js';

// The Python tools the tests start (moto_server, cfn-lint, aws, python3 with the SAM translator) are
// found in the project's virtual environment, .venv, too, when it has one (requirements.txt): its
// bin directory goes first on the PATH that every test and the processes it starts inherit.
const { PATH } = withProjectTools(process.env);
if (PATH !== undefined) process.env.PATH = PATH;

// Timeouts come from test/support/work-budget.ts. A project's defaults bound its ordinary test or
// hook; a test or hook that starts processes or builds passes its own budget, for the work it does.
export default defineConfig({
  test: {
    ...sharedTestSettings,
    // Two test files at a time even on two cores (vitest's default there is one): most files spend
    // their time waiting on a child process (moto, cfn-lint, the SAM transform, a build, the
    // sandbox), so a second file runs in that wait. Files share nothing they write: each starts its
    // own moto on a free port and builds or packages in its own copy of the project.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    minWorkers: 1,
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
