import { describe, expect, it } from 'vitest';
import { churnChartSvg } from '../../bench/churn-chart.js';
import {
  type ChurnComparison,
  DESIGNS,
  RUNS_PER_STEP,
  type RunRecord,
  verifyRecord,
} from '../../bench/churn-comparison.js';
import { churnReport } from '../../bench/churn-report.js';
import { BenchFailure } from '../../bench/stats.js';

const [OURS, DNS] = DESIGNS;

/** Two ALB changes; the model registers half the IPs at first and keeps 3 dead ones for a while. */
function comparison(): ChurnComparison {
  const records: RunRecord[] = [];
  for (const step of [0, 1]) {
    for (let runInStep = 1; runInStep <= RUNS_PER_STEP; runInStep += 1) {
      const run = step * RUNS_PER_STEP + runInStep;
      const base = { step, runInStep, run, liveIps: 40, foreignRegistered: 0, dnsLookups: 0 };
      records.push({
        ...base,
        design: OURS,
        liveRegistered: 40,
        deadRegistered: 0,
        deadLongestRuns: 0,
        liveDeregistered: 0,
        apiCalls: runInStep === 1 ? 6 : 4,
      });
      records.push({
        ...base,
        design: DNS,
        liveRegistered: step === 1 && runInStep === 1 ? 20 : 40,
        deadRegistered: step === 1 && runInStep <= 2 ? 3 : 0,
        deadLongestRuns: step === 1 && runInStep <= 2 ? runInStep : 0,
        liveDeregistered: step === 1 && runInStep === 2 ? 1 : 0,
        apiCalls: 1,
        dnsLookups: 50,
      });
    }
  }
  return { seed: 13, steps: ['start: 40 IPs', 'node replacement'], records };
}

describe('Benchmark: the churn comparison report', () => {
  it('has a row per ALB change and design, with the shares after 1 and 3 runs and the dead IPs', () => {
    // Act
    const [table = '', , totals = ''] = churnReport(comparison());

    // Assess
    const rows = table.split('\n').slice(2);
    expect(rows).toEqual([
      `| start: 40 IPs | ${OURS} | 40 | 100 % | 100 % | 0 | 0 | 0 | 0 | 4–6 | 0 |`,
      `|  | ${DNS} | 40 | 100 % | 100 % | 0 | 0 | 0 | 0 | 1 | 50 |`,
      `| node replacement | ${OURS} | 40 | 100 % | 100 % | 0 | 0 | 0 | 0 | 4–6 | 0 |`,
      `|  | ${DNS} | 40 | 50 % | 100 % | 3 | 2 | 0 | 1 | 1 | 50 |`,
    ]);
    expect(totals.split('\n').slice(2)).toEqual([
      `| ${OURS} | 12 of 12 | 12 of 12 | 0 | 52 | 0 |`,
      `| ${DNS} | 11 of 12 | 10 of 12 | 1 | 12 | 600 |`,
    ]);
  });

  it('draws both designs and every ALB change into the same SVG for the same data', async () => {
    // Act
    const svg = await churnChartSvg(comparison(), ['40 IPs', 'replaced']);

    // Assess
    expect(svg).toMatch(/^<svg [^>]*><title>One ALB&apos;s history: [^<]+<\/title>/);
    for (const text of [OURS, DNS, '40 IPs', 'replaced', 'seed 13']) expect(svg).toContain(text);
    expect(await churnChartSvg(comparison(), ['40 IPs', 'replaced'])).toBe(svg);
  });
});

describe('Benchmark: the churn comparison fails on a wrong result', () => {
  const exact: RunRecord = {
    design: OURS,
    step: 0,
    runInStep: 1,
    run: 1,
    liveIps: 10,
    liveRegistered: 10,
    deadRegistered: 0,
    deadLongestRuns: 0,
    foreignRegistered: 0,
    liveDeregistered: 0,
    apiCalls: 4,
    dnsLookups: 0,
  };

  it.each([
    ['a live IP missing', { liveRegistered: 9 }, /9 of 10 live IPs registered/],
    ['a dead IP left', { deadRegistered: 1 }, /1 dead IP\(s\) still registered/],
    ['a live IP deregistered', { liveDeregistered: 1 }, /deregistered 1 live IPs/],
    ['a foreign IP registered', { foreignRegistered: 2 }, /2 IP\(s\) registered that were never/],
  ])("fails this project's run with %s", (_, change, message) => {
    expect(() => verifyRecord({ ...exact, ...change }, 'start')).toThrow(BenchFailure);
    expect(() => verifyRecord({ ...exact, ...change }, 'start')).toThrow(message);
  });

  it("measures the model's slowness without failing, but never a foreign IP", () => {
    const slow = {
      ...exact,
      design: DNS,
      liveRegistered: 3,
      deadRegistered: 4,
      liveDeregistered: 1,
    };
    expect(() => verifyRecord(slow, 'start')).not.toThrow();
    expect(() => verifyRecord({ ...slow, foreignRegistered: 1 }, 'start')).toThrow(BenchFailure);
    expect(() => verifyRecord(exact, 'start')).not.toThrow();
  });
});
