// `npm run mutation`: Stryker changes one line of a module at a time and runs the unit tests that
// cover it; a change that no test notices survives. scripts/mutation-thresholds.mjs then holds each
// module's score to its threshold. Unit tests only: they cover every mutated module and start no
// process. README, "Mutation testing", says when to run the full run (`npm run mutation:full`).
import { MUTATION_THRESHOLDS } from './scripts/mutation-thresholds.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // related: a static mutant (code that runs when a module loads, such as a zod schema built at
  // the top of binding.ts) cannot be switched on per test, so Stryker reloads and runs every test
  // for it. With related, "every test" is the test files that import the mutated module, as
  // vitest's module graph says, not all 31 unit test files: the same results, and a full run of
  // 16 minutes instead of 47 on two cores. Static mutants are kept (no ignoreStatic): most of the
  // 381 are the input schemas' checks (zod schemas built when binding.ts and the macro's
  // properties.ts load), which nothing else exercises.
  vitest: { configFile: 'test/unit/vitest.config.ts', related: true },
  mutate: Object.keys(MUTATION_THRESHOLDS),
  coverageAnalysis: 'perTest',
  // Incremental: a run re-tests only the mutants whose code changed, or whose killing or covering
  // tests changed (a test file without locations counts as changed as a whole), and takes every
  // other result from the committed file; it then writes the file anew. `npm run mutation:full`
  // (--force) re-tests every mutant. A change to a module that mutated code imports but that is
  // not itself mutated is not seen: that is what the full run is for.
  incremental: true,
  incrementalFile: 'stryker-incremental.json',
  // A mutant that hangs a test is ended by vitest at the unit tests' own timeout (budgetFor({}),
  // 2 s) and counts as killed; a mutant that loops without end is stopped by Stryker's hit limit
  // (100 times the dry run's hits) within a few hundred milliseconds. Stryker's own timer backs
  // those two up, so it need add no more than the unit tests' timeout to the run's time.
  timeoutMS: 2_000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
