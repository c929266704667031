import type {
  Reporter,
  SerializedError,
  TestCase,
  TestModule,
  TestRunEndReason,
  TestSuite,
} from 'vitest/node';

/** What one run came to, counted from vitest's own report of it. */
export interface RunTally {
  readonly passed: number;
  /** Tests that failed, and tests that were meant to run but did not (their hook or suite failed). */
  readonly failed: number;
  /** Of the failed, those that never ran. */
  readonly didNotRun: number;
  /** Tests skipped on purpose (`.skip`, `.todo`, or skipped from inside the test). */
  readonly skipped: number;
  /** Errors outside any test: a failed hook or suite, a file that failed to load. */
  readonly errorsOutsideTests: number;
  /** Errors nobody handled, such as a rejection that outlived its test. */
  readonly unhandledErrors: number;
  /** Why vitest says the run ended: `passed`, `failed` or `interrupted`. */
  readonly reason: TestRunEndReason;
}

const INTENDED_SKIPS = new Set(['skip', 'todo']);

export function tallyRun(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError>,
  reason: TestRunEndReason,
): RunTally {
  let passed = 0;
  let failed = 0;
  let didNotRun = 0;
  let skipped = 0;
  let errorsOutsideTests = 0;
  for (const module of testModules) {
    let moduleErrors = module.errors().length;
    for (const suite of module.children.allSuites()) moduleErrors += suite.errors().length;
    let moduleFailures = 0;
    for (const test of module.children.allTests()) {
      const { state } = test.result();
      if (state === 'passed') passed += 1;
      else if (state === 'failed') moduleFailures += 1;
      else if (INTENDED_SKIPS.has(test.options.mode) || !failedAround(test)) skipped += 1;
      else {
        moduleFailures += 1;
        didNotRun += 1;
      }
    }
    // A file vitest calls failed with no failed test and no error to show still failed.
    if (module.state() === 'failed' && moduleFailures === 0 && moduleErrors === 0) moduleErrors = 1;
    failed += moduleFailures;
    errorsOutsideTests += moduleErrors;
  }
  return {
    passed,
    failed,
    didNotRun,
    skipped,
    errorsOutsideTests,
    unhandledErrors: unhandledErrors.length,
    reason,
  };
}

/** Whether a test's suite or file failed, which is why a test meant to run did not. */
function failedAround(test: TestCase): boolean {
  let node: TestSuite | TestModule = test.parent;
  for (;;) {
    if (node.state() === 'failed') return true;
    if (node.type === 'module') return false;
    node = node.parent;
  }
}

/** A run is green only when every test that was meant to run passed and nothing else went wrong. */
export function runPassed(tally: RunTally): boolean {
  return (
    tally.reason === 'passed' &&
    tally.failed === 0 &&
    tally.errorsOutsideTests === 0 &&
    tally.unhandledErrors === 0 &&
    tally.passed > 0
  );
}

export function summaryLine(tally: RunTally): string {
  const failed =
    tally.didNotRun > 0
      ? `${tally.failed} failed (${tally.didNotRun} did not run)`
      : `${tally.failed} failed`;
  const verdict = runPassed(tally)
    ? 'passed'
    : tally.passed === 0 && tally.failed === 0 && tally.errorsOutsideTests === 0
      ? 'FAILED (no test ran)'
      : tally.reason === 'interrupted'
        ? 'FAILED (interrupted)'
        : 'FAILED';
  return `tests: ${tally.passed} passed, ${failed}, ${tally.skipped} skipped; errors outside tests: ${tally.errorsOutsideTests}, unhandled: ${tally.unhandledErrors}; ${verdict}`;
}

/**
 * Ends the run with one plain line that any CI can read, for example
 * `tests: 253 passed, 7 failed (7 did not run), 0 skipped; errors outside tests: 1, unhandled: 0; FAILED`.
 * Tests that a failed hook kept from running count as failed, and the line calls a run green only
 * when vitest does too; when it does not, the exit code is made non-zero as well.
 */
export default class SummaryLineReporter implements Reporter {
  private tally: RunTally | undefined;

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    this.tally = tallyRun(testModules, unhandledErrors, reason);
  }

  // Called after every reporter's onTestRunEnd, so the line comes after vitest's own summary.
  onFinished(): void {
    if (this.tally === undefined) return;
    process.stdout.write(`\n${summaryLine(this.tally)}\n`);
    if (!runPassed(this.tally)) process.exitCode = 1;
  }
}
