import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The tools outside npm that the integration and template tests run, at the versions the tests are
 * written against (the README's prerequisites list the same).
 */
export const PYTHON_TOOLS = {
  moto_server: 'moto[server]==5.2.1',
  'cfn-lint': 'cfn-lint==1.51.0',
  aws: 'awscli==1.45.11',
} as const;
const SAM_TRANSLATOR = 'aws-sam-translator==1.110.0';

type Tool = keyof typeof PYTHON_TOOLS | 'aws-sam-translator';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function hasSamTranslator(): boolean {
  return spawnSync('python3', ['-c', 'import samtranslator'], { stdio: 'ignore' }).status === 0;
}

/**
 * Fails once, before any test file runs, when a tool is missing: one message that names every
 * missing tool and the command that installs them, instead of a failed hook in every file.
 */
export function requireTools(tools: readonly Tool[]): void {
  const missing = tools.filter((tool) =>
    tool === 'aws-sam-translator' ? !hasSamTranslator() : !onPath(tool),
  );
  if (missing.length === 0) return;
  const packages = missing.map((tool) =>
    tool === 'aws-sam-translator' ? SAM_TRANSLATOR : PYTHON_TOOLS[tool],
  );
  throw new Error(
    `These tests need ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not on PATH. Install with Python 3.11 or newer: python3 -m pip install ${packages.map((name) => `'${name}'`).join(' ')}`,
  );
}
