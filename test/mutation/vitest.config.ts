import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';
export default defineConfig({
  test: {
    ...base.test,
    projects: undefined,
    reporters: ['default'],
    include: ['test/unit/**/*.test.ts'],
  },
});
