import { describe, expect, it } from 'vitest';
import {
  canonicalReport,
  formatReport,
  type IncrementalReport,
} from '../../scripts/stable-incremental.mjs';

// scripts/stable-incremental.mjs: the committed incremental file changes only where the run did.

const at = (line: number, column: number) => ({
  start: { line, column },
  end: { line, column: column + 4 },
});

/** One run's report, numbered the way that run happened to number it. */
function runReport(order: 'first' | 'second'): IncrementalReport {
  const [planTest, syncTest, otherSyncTest] = order === 'first' ? ['0', '1', '2'] : ['7', '3', '5'];
  const mutants = [
    {
      id: order === 'first' ? '0' : '9',
      mutatorName: 'EqualityOperator',
      replacement: 'a <= b',
      location: at(12, 4),
      status: 'Killed',
      killedBy: [syncTest],
      coveredBy: [otherSyncTest, syncTest, planTest],
    },
    {
      id: order === 'first' ? '1' : '4',
      mutatorName: 'BlockStatement',
      replacement: '{}',
      location: at(3, 1),
      status: 'Survived',
      coveredBy: [planTest],
    },
  ];
  const tests = {
    'test/unit/sync.test.ts': {
      source: 'sync tests',
      tests: [
        { id: otherSyncTest, name: 'sync writes' },
        { id: syncTest, name: 'sync reads' },
      ],
    },
    'test/unit/plan.test.ts': { source: 'plan tests', tests: [{ id: planTest, name: 'plan' }] },
  };
  return {
    schemaVersion: '1.0',
    projectRoot: order === 'first' ? '/work/main' : '/tmp/ci/clone',
    config: { force: order === 'first' },
    files: {
      'functions/plan.ts': {
        language: 'typescript',
        source: 'plan source',
        mutants: order === 'first' ? mutants : [...mutants].reverse(),
      },
    },
    testFiles: order === 'first' ? tests : Object.fromEntries(Object.entries(tests).reverse()),
  };
}

describe('Function: canonicalReport', () => {
  it('gives the same report for the same results, however the run numbered and ordered them', () => {
    expect(canonicalReport(runReport('second'))).toEqual(canonicalReport(runReport('first')));
  });

  it('writes a reused result as it writes a new one: keys in one order, no empty killedBy', () => {
    const reused = runReport('first');
    const [survivor, killed] = reused.files['functions/plan.ts']?.mutants ?? [];
    const fresh = {
      ...reused,
      files: {
        'functions/plan.ts': {
          language: 'typescript',
          source: 'plan source',
          mutants: [
            Object.fromEntries(Object.entries(survivor ?? {}).reverse()),
            { ...killed, coveredBy: [], killedBy: [] },
          ],
        },
      },
    };
    const withoutLists = { ...killed };
    delete withoutLists.coveredBy;
    delete withoutLists.killedBy;

    const written = formatReport(canonicalReport(fresh));

    expect(written).toBe(
      formatReport(
        canonicalReport({
          ...reused,
          files: {
            'functions/plan.ts': {
              language: 'typescript',
              source: 'plan source',
              mutants: [survivor ?? {}, withoutLists],
            },
          },
        }),
      ),
    );
  });

  it('numbers tests by file and name, and mutants by place, and keeps each link between them', () => {
    const report = canonicalReport(runReport('second'));

    expect(report).toEqual({
      schemaVersion: '1.0',
      files: {
        'functions/plan.ts': {
          language: 'typescript',
          source: 'plan source',
          mutants: [
            expect.objectContaining({ id: '0', location: at(3, 1), coveredBy: ['0'] }),
            expect.objectContaining({
              id: '1',
              location: at(12, 4),
              killedBy: ['1'],
              coveredBy: ['0', '1', '2'],
            }),
          ],
        },
      },
      testFiles: {
        'test/unit/plan.test.ts': { source: 'plan tests', tests: [{ id: '0', name: 'plan' }] },
        'test/unit/sync.test.ts': {
          source: 'sync tests',
          tests: [
            { id: '1', name: 'sync reads' },
            { id: '2', name: 'sync writes' },
          ],
        },
      },
    });
    expect(report.files['functions/plan.ts']?.mutants[0]).not.toHaveProperty('killedBy');
  });
});

describe('Function: formatReport', () => {
  it('writes JSON that reads back the same, one mutant or test a line', () => {
    const report = canonicalReport(runReport('first'));

    const text = formatReport(report);

    expect(JSON.parse(text)).toEqual(report);
    const lines = text.split('\n');
    expect(lines.filter((line) => /^\{.*"id":"\d+"/.test(line))).toHaveLength(5);
    expect(lines).toContain('"source": "plan source",');
    expect(text.endsWith('}\n')).toBe(true);
  });
});
