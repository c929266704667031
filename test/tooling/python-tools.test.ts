import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installAdvice,
  missingTools,
  REQUIREMENTS,
  ROOT,
  readRequirements,
  TOOLS,
  type Tool,
  withProjectTools,
} from '../../scripts/python-tools.mjs';
import { budgetFor } from '../support/work-budget.js';

// Finding the Python tools the tests run (on PATH, or in the project's .venv), and what a machine
// without them is told: the missing tools, their pinned packages, and one command, never a stack
// trace. Fake tools (shell scripts) stand in for the real ones.
const ALL = Object.keys(TOOLS) as Tool[];
const SCRIPT = join(ROOT, 'scripts', 'python-tools.mjs');

let workdir = '';
/** A directory of executables that exit 0, the given names; python3 imports anything. */
function fakeBin(names: readonly string[]): string {
  const bin = mkdtempSync(join(workdir, 'bin-'));
  for (const name of names) {
    const file = join(bin, name);
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o755);
  }
  return bin;
}
/** A python3 whose `import samtranslator` fails. */
function pythonWithoutTranslator(): string {
  const bin = mkdtempSync(join(workdir, 'python-'));
  writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexit 1\n');
  chmodSync(join(bin, 'python3'), 0o755);
  return bin;
}
/** The script run as `npm test` runs it, with this PATH only. */
function runScript(path: string, args: string[] = [], cwd = ROOT) {
  return spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd,
    env: { PATH: path },
    encoding: 'utf8',
  });
}

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'python-tools-'));
});
afterAll(() => {
  rmSync(workdir, { recursive: true, force: true });
});

describe('Function: readRequirements', () => {
  it('reads the pins of requirements.txt, one per tool, at the versions the README names', () => {
    expect(readRequirements()).toEqual({
      moto: 'moto[server]==5.2.1',
      'cfn-lint': 'cfn-lint==1.51.0',
      'aws-sam-translator': 'aws-sam-translator==1.110.0',
      awscli: 'awscli==1.45.11',
    });
    for (const tool of ALL) expect(readRequirements(), tool).toHaveProperty(TOOLS[tool]);
  });

  it('refuses a line that is not a pinned package, naming it', () => {
    const root = mkdtempSync(join(workdir, 'root-'));
    writeFileSync(join(root, REQUIREMENTS), '# tools\nmoto[server]==5.2.1\ncfn-lint>=1\n');
    expect(() => readRequirements(root)).toThrow(
      'requirements.txt: "cfn-lint>=1" is not a pinned package (name==version)',
    );
  });
});

describe('Function: missingTools', () => {
  it('finds every tool on PATH', () => {
    const bin = fakeBin(['moto_server', 'cfn-lint', 'aws', 'python3']);
    expect(missingTools(ALL, { PATH: bin })).toEqual([]);
  });

  it('names each tool it cannot find, the translator by its Python module', () => {
    expect(missingTools(ALL, { PATH: '' })).toEqual(ALL);
    expect(missingTools(ALL, {})).toEqual(ALL);
    const bin = fakeBin(['cfn-lint']);
    expect(missingTools(ALL, { PATH: `${bin}${delimiter}${pythonWithoutTranslator()}` })).toEqual([
      'moto_server',
      'aws',
      'aws-sam-translator',
    ]);
  });
});

describe('Function: withProjectTools', () => {
  it("puts the project's .venv/bin first on PATH when it has one, once", () => {
    const root = mkdtempSync(join(workdir, 'root-'));
    const bin = join(root, '.venv', 'bin');
    expect(withProjectTools({ PATH: '/usr/bin' }, root)).toEqual({ PATH: '/usr/bin' });

    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'python3'), 0o755);

    expect(withProjectTools({ PATH: '/usr/bin', HOME: '/h' }, root)).toEqual({
      PATH: `${bin}${delimiter}/usr/bin`,
      HOME: '/h',
    });
    expect(withProjectTools({}, root)).toEqual({ PATH: bin });
    const already = { PATH: `${bin}${delimiter}/usr/bin` };
    expect(withProjectTools(already, root)).toEqual(already);
  });
});

describe('Function: installAdvice', () => {
  it('names each missing tool with its pinned package, and the one command', () => {
    expect(installAdvice(['moto_server'])).toBe(
      [
        'Missing Python tool, not on PATH nor in .venv/bin:',
        '  moto_server (moto[server]==5.2.1)',
        'Install them (Python 3.11 or newer), into the project, with:',
        '  python3 -m venv .venv && .venv/bin/pip install -r requirements.txt',
        'then run the command again.',
      ].join('\n'),
    );
    expect(installAdvice(['cfn-lint', 'aws-sam-translator'])).toContain(
      'Missing Python tools, not on PATH nor in .venv/bin:\n  cfn-lint (cfn-lint==1.51.0)\n  aws-sam-translator (aws-sam-translator==1.110.0)\n',
    );
  });
});

describe('Command: node scripts/python-tools.mjs (the first step of npm test)', () => {
  it(
    'exits 0, saying nothing, when every tool is there',
    () => {
      const result = runScript(fakeBin(['moto_server', 'cfn-lint', 'aws', 'python3']));
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
    },
    budgetFor({ process: 2 }),
  );

  it(
    'exits 1 with the advice and no stack trace when tools are missing, and checks only those named',
    () => {
      const missing = runScript('');
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe(`${installAdvice(ALL)}\n`);
      expect(missing.stderr).not.toMatch(/^\s+at /m);

      const some = runScript(fakeBin(['cfn-lint']), ['cfn-lint', 'aws']);
      expect(some.status).toBe(1);
      expect(some.stderr).toBe(`${installAdvice(['aws'])}\n`);
    },
    budgetFor({ process: 4 }),
  );

  it(
    'exits 2 for a tool it does not know',
    () => {
      const result = runScript('', ['docker']);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(
        'unknown tool docker; expected some of moto_server, cfn-lint, aws, aws-sam-translator\n',
      );
    },
    budgetFor({ process: 2 }),
  );
});
