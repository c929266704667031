import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { requireTools } from '../support/required-tools.js';
import { lintTemplates, ROOT } from './cloudformation.js';

/**
 * Once before the template tests, the work several of their files share:
 * - the bundles, built from the current source, which the build tests compare byte for byte;
 * - cfn-lint of every template the project ships (template.yaml and examples/), in one process.
 * Vitest gives this setup its own time; each file then reads the results with `inject`.
 */
export const CHECKED_IN_TEMPLATES = [
  'template.yaml',
  ...readdirSync(join(ROOT, 'examples'))
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .sort()
    .map((file) => `examples/${file}`),
];

export default async function setup(project: TestProject): Promise<void> {
  requireTools(['moto_server', 'cfn-lint', 'aws', 'aws-sam-translator']);
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  project.provide('templateLints', Object.fromEntries(await lintTemplates(CHECKED_IN_TEMPLATES)));
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** cfn-lint's findings for each checked-in template, by path from the project's root. */
    templateLints: Record<string, string[]>;
  }
}
