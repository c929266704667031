import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkScores,
  formatScores,
  MUTATION_THRESHOLDS,
  type ReportLike,
} from '../../scripts/mutation-thresholds.mjs';
import strykerConfig from '../../stryker.config.mjs';
import { budgetFor } from '../support/work-budget.js';

// `npm run mutation` holds each module to its own threshold, which Stryker alone cannot do.
const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'mutation-thresholds.mjs');

/** A report with the given mutant statuses for each module. */
function report(files: Record<string, string[]>): ReportLike {
  return {
    files: Object.fromEntries(
      Object.entries(files).map(([path, statuses]) => [
        path,
        { mutants: statuses.map((status) => ({ status })) },
      ]),
    ),
  };
}

const times = (count: number, status: string): string[] => Array(count).fill(status);

describe('Function: checkScores', () => {
  it('scores killed and timed-out mutants as detected, survived and uncovered as not', () => {
    // Prepare: 6 detected, 2 undetected; compile errors and ignored mutants do not count
    const scored = report({
      'a.ts': [
        ...times(5, 'Killed'),
        'Timeout',
        'Survived',
        'NoCoverage',
        'CompileError',
        'RuntimeError',
        'Ignored',
      ],
    });

    // Act
    const { rows } = checkScores(scored, { 'a.ts': 75 }, ROOT);

    // Assess
    expect(rows).toEqual([
      { module: 'a.ts', threshold: 75, score: 75, detected: 6, valid: 8, ok: true },
    ]);
  });

  it('passes a module at its threshold and fails one just below it', () => {
    const atAndBelow = report({
      'at.ts': [...times(9, 'Killed'), 'Survived'],
      'below.ts': [...times(8, 'Killed'), ...times(2, 'Survived')],
    });

    const result = checkScores(atAndBelow, { 'at.ts': 90, 'below.ts': 81 }, ROOT);

    expect(result.rows.map(({ module, ok }) => [module, ok])).toEqual([
      ['at.ts', true],
      ['below.ts', false],
    ]);
    expect(result.ok).toBe(false);
  });

  it('fails when a listed module is missing from the report, or a mutated one is not listed', () => {
    const result = checkScores(
      report({ 'listed.ts': ['Killed'], 'stray.ts': ['Killed'] }),
      { 'listed.ts': 90, 'missing.ts': 90 },
      ROOT,
    );

    expect(result.ok).toBe(false);
    expect(result.unlisted).toEqual(['stray.ts']);
    expect(formatScores(result).split('\n')).toEqual([
      'ok   listed.ts: 100.00 % (1 of 1 detected), threshold 90 %',
      'FAIL missing.ts: not in the report; expected Stryker to mutate it',
      'FAIL stray.ts: mutated, but has no threshold in scripts/mutation-thresholds.mjs',
      'mutation: FAILED',
    ]);
  });

  it('reads the absolute paths a report may hold as paths from the project root', () => {
    const absolute = report({ [join(ROOT, 'functions', 'x.ts')]: ['Killed'] });

    expect(checkScores(absolute, { 'functions/x.ts': 100 }, ROOT).ok).toBe(true);
  });

  it('holds the runtime, the plan and the schemas to at least 90 %, and is what Stryker mutates', () => {
    for (const module of [
      'functions/shared/custom-resource.ts',
      'functions/target-group-sync/plan.ts',
      'functions/shared/binding.ts',
      'functions/nlb-private-ips/properties.ts',
    ]) {
      expect(MUTATION_THRESHOLDS[module], module).toBeGreaterThanOrEqual(90);
    }
    expect(strykerConfig.mutate).toEqual(Object.keys(MUTATION_THRESHOLDS));
    for (const module of strykerConfig.mutate) expect(existsSync(join(ROOT, module))).toBe(true);
    expect(existsSync(join(ROOT, strykerConfig.vitest.configFile))).toBe(true);
  });

  it('runs incrementally from the committed results, which Stryker can read', () => {
    // Without the file `npm test` re-tests every mutant: correct, but the full run's time. A module
    // missing from it (a new one) is tested in full and added by the run.
    expect(strykerConfig.incremental).toBe(true);
    const incremental = JSON.parse(
      readFileSync(join(ROOT, strykerConfig.incrementalFile), 'utf8'),
    ) as { files?: Record<string, { mutants?: unknown[] }> };

    expect(Object.keys(incremental.files ?? {})).not.toHaveLength(0);
  });
});

describe('Command: node scripts/mutation-thresholds.mjs REPORT', () => {
  const workdir = mkdtempSync(join(tmpdir(), 'mutation-'));
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  const run = (files: Record<string, string[]>) => {
    const path = join(workdir, `${Object.keys(files).length}-${Date.now()}.json`);
    writeFileSync(path, JSON.stringify(report(files)));
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [SCRIPT, path], { encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      });
    });
  };
  const everyModule = (statuses: string[]) =>
    Object.fromEntries(Object.keys(MUTATION_THRESHOLDS).map((module) => [module, statuses]));

  it(
    'exits 0 and says so when every module meets its threshold',
    async () => {
      const result = await run(everyModule(times(10, 'Killed')));

      expect(result.code).toBe(0);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
        'mutation: every module meets its threshold',
      );
    },
    budgetFor({ process: 1 }),
  );

  it(
    'exits 1 and names the module when one falls short',
    async () => {
      const [weakest = ''] = Object.keys(MUTATION_THRESHOLDS);
      const result = await run({ ...everyModule(['Killed']), [weakest]: ['Killed', 'Survived'] });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`FAIL ${weakest}: 50.00 % (1 of 2 detected)`);
      expect(result.stderr.trimEnd().split('\n').at(-1)).toBe('mutation: FAILED');
    },
    budgetFor({ process: 1 }),
  );
});
