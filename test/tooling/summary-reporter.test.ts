import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../support/work-budget.js';

// The closing line of `npm test`, read as a CI reads it: vitest runs each fixture in a fresh
// process with the summary reporter, and the last line of its output and its exit code must agree
// with what happened. The fixtures fail on purpose, each in its own way.
const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

const SCENARIOS = [
  'failing-hook',
  'hook-timeout',
  'failing-test',
  'failing-import',
  'unhandled',
  'only-skipped',
  'passing',
] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Run {
  lastLine: string;
  exitCode: number;
}

/** vitest on one fixture file, with none of this run's vitest settings in its environment. */
function runFixture(scenario: Scenario): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [VITEST, 'run', '--config', 'vitest.config.ts', `${scenario}.fixture.ts`],
      { cwd: FIXTURES, env: { ...env, NO_COLOR: '1' }, encoding: 'utf8' },
      (error, stdout) => {
        const lines = stdout.trimEnd().split('\n');
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ lastLine: lines.at(-1) ?? '', exitCode });
      },
    );
  });
}

describe('Function: the summary reporter, at the end of real vitest runs', () => {
  const runs = new Map<Scenario, Run>();

  beforeAll(
    async () => {
      // Act: the runs are independent, so they go at once.
      const results = await Promise.all(SCENARIOS.map(runFixture));
      SCENARIOS.forEach((scenario, index) => {
        const run = results[index];
        if (run !== undefined) runs.set(scenario, run);
      });
    },
    budgetFor({ vitestRun: SCENARIOS.length }),
  );

  it.each<[string, Scenario, string, number]>([
    [
      'counts the tests a failed beforeAll kept from running as failed, and the run as FAILED',
      'failing-hook',
      'tests: 1 passed, 2 failed (2 did not run), 0 skipped; errors outside tests: 1, unhandled: 0; FAILED',
      1,
    ],
    [
      'reports a file-level hook that timed out, and an afterAll that failed, as errors',
      'hook-timeout',
      'tests: 0 passed, 1 failed (1 did not run), 0 skipped; errors outside tests: 2, unhandled: 0; FAILED',
      1,
    ],
    [
      'reports a failed test',
      'failing-test',
      'tests: 1 passed, 1 failed, 0 skipped; errors outside tests: 0, unhandled: 0; FAILED',
      1,
    ],
    [
      'reports a file that failed to load, though it has no test to count',
      'failing-import',
      'tests: 0 passed, 0 failed, 0 skipped; errors outside tests: 1, unhandled: 0; FAILED',
      1,
    ],
    [
      'reports an unhandled rejection, though every test passed',
      'unhandled',
      'tests: 1 passed, 0 failed, 0 skipped; errors outside tests: 0, unhandled: 1; FAILED',
      1,
    ],
    [
      'does not call a run green when no test ran',
      'only-skipped',
      'tests: 0 passed, 0 failed, 1 skipped; errors outside tests: 0, unhandled: 0; FAILED (no test ran)',
      1,
    ],
    [
      'calls a run green only when every test meant to run passed, a deliberate skip aside',
      'passing',
      'tests: 1 passed, 0 failed, 1 skipped; errors outside tests: 0, unhandled: 0; passed',
      0,
    ],
  ])('%s', (_, scenario, lastLine, exitCode) => {
    expect(runs.get(scenario)).toEqual({ lastLine, exitCode });
  });
});
