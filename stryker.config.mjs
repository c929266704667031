// `npm run mutation`: Stryker changes one line of a module at a time and runs the unit tests that
// cover it; a change that no test notices survives. scripts/mutation-thresholds.mjs then holds each
// module's score to its threshold. Unit tests only: they cover every mutated module and run in
// milliseconds, so a run fits in a few minutes on two cores.
import { MUTATION_THRESHOLDS } from './scripts/mutation-thresholds.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'test/unit/vitest.config.ts', related: false },
  mutate: Object.keys(MUTATION_THRESHOLDS),
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
