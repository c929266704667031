import { defineConfig } from 'vitest/config';
import { sharedTestSettings, unitProject } from '../support/vitest-settings.js';

// The unit tests alone, with the settings `npm test` gives them: what `npm run mutation` (Stryker)
// runs against each mutant.
export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  test: { ...sharedTestSettings, ...unitProject },
});
