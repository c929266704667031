import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArguments, summarize } from '../../scripts/under-load.mjs';
import { budgetFor } from '../support/work-budget.js';

// scripts/under-load.mjs: how the suite is shown free of flakes beside a CPU burner.
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'under-load.mjs');

function run(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

describe('Function: parseArguments', () => {
  it('takes 10 runs and 1 burner unless told, and the command after --', () => {
    expect(parseArguments(['--', 'npm', 'run', 'test:quick'])).toEqual({
      options: { runs: 10, burners: 1, keepGoing: false, command: ['npm', 'run', 'test:quick'] },
    });
    expect(parseArguments(['--runs', '3', '--burners', '0', '--keep-going', '--', 'true'])).toEqual(
      { options: { runs: 3, burners: 0, keepGoing: true, command: ['true'] } },
    );
  });

  it.each([
    [['--runs', '0', '--', 'true'], '--runs: got "0"; expected a whole number, 1 or more'],
    [['--burners', '-1', '--', 'true'], '--burners: got "-1"; expected a whole number, 0 or more'],
    [['--runs', '1.5', '--', 'true'], '--runs: got "1.5"; expected a whole number, 1 or more'],
    [['--runs'], '--runs: got ""; expected a whole number, 1 or more'],
    [['--fast', '--', 'true'], 'unknown option "--fast"'],
    [['--runs', '2'], 'no command after --'],
  ])('refuses %j: %s', (argv, error) => {
    expect(parseArguments(argv)).toEqual({ error });
  });
});

describe('Function: summarize', () => {
  it('lists each run, then the spread, then the passed and failed runs', () => {
    const text = summarize([
      { code: 0, ms: 200_400 },
      { code: 1, ms: 100_000 },
      { code: 0, ms: 150_000 },
      { code: 0, ms: 300_000 },
    ]);

    expect(text).toBe(
      [
        'runs: 200 s, 100 s, 150 s, 300 s',
        'wall time: min 100 s, median 175 s, max 300 s',
        '3 passed, 1 failed',
      ].join('\n'),
    );
  });
});

describe('Command: node scripts/under-load.mjs', () => {
  it(
    'runs the command the given times beside a burner, and exits 1 at the first failure',
    async () => {
      const passing = await run(['--runs', '2', '--', process.execPath, '-e', '0']);
      const failing = await run(['--runs', '3', '--', process.execPath, '-e', 'process.exit(3)']);

      expect(passing.code).toBe(0);
      expect(passing.stdout).toMatch(/^runs: \d+ s, \d+ s\n.*\n2 passed, 0 failed\n$/);
      expect(failing.code).toBe(1);
      expect(failing.stderr).toContain('under-load: run 1: exit code 3');
      expect(failing.stderr).not.toContain('run 2 of 3');
      expect(failing.stdout).toMatch(/\n0 passed, 1 failed\n$/);
    },
    budgetFor({ process: 8 }),
  );

  it(
    'refuses a bad command line with the usage, exit code 64',
    async () => {
      const { code, stderr } = await run(['--runs', 'x']);

      expect(code).toBe(64);
      expect(stderr).toContain('under-load: --runs: got "x"');
      expect(stderr).toContain('usage: node scripts/under-load.mjs');
    },
    budgetFor({ process: 2 }),
  );
});
