import {
  type ChurnComparison,
  DESIGNS,
  RUNS_PER_STEP,
  type RunRecord,
} from './churn-comparison.js';
import { markdownTable } from './stats.js';

const percent = (part: number, whole: number): string =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(0)} %`;

const range = (values: readonly number[]): string => {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${low}–${high}`;
};

/** The churn comparison as Markdown: one row per ALB change and design, then the whole history. */
export function churnReport(comparison: ChurnComparison): string[] {
  const rows: string[][] = [];
  comparison.steps.forEach((label, step) => {
    for (const design of DESIGNS) {
      const runs = comparison.records.filter(
        (record) => record.step === step && record.design === design,
      );
      const nth = (n: number) => runs.find((record) => record.runInStep === n) as RunRecord;
      const first = nth(1);
      const third = nth(3);
      rows.push([
        design === DESIGNS[0] ? label : '',
        design,
        String(first.liveIps),
        percent(first.liveRegistered, first.liveIps),
        percent(third.liveRegistered, third.liveIps),
        String(first.deadRegistered),
        String(Math.max(...runs.map((record) => record.deadLongestRuns))),
        String(Math.max(...runs.map((record) => record.foreignRegistered))),
        String(runs.reduce((sum, record) => sum + record.liveDeregistered, 0)),
        range(runs.map((record) => record.apiCalls)),
        range(runs.map((record) => record.dnsLookups)),
      ]);
    }
  });
  const totals = DESIGNS.map((design) => {
    const runs = comparison.records.filter((record) => record.design === design);
    const complete = runs.filter((record) => record.liveRegistered === record.liveIps).length;
    const clean = runs.filter((record) => record.deadRegistered === 0).length;
    return [
      design,
      `${complete} of ${runs.length}`,
      `${clean} of ${runs.length}`,
      String(runs.reduce((sum, record) => sum + record.liveDeregistered, 0)),
      String(runs.reduce((sum, record) => sum + record.apiCalls, 0)),
      String(runs.reduce((sum, record) => sum + record.dnsLookups, 0)),
    ];
  });
  return [
    markdownTable(
      [
        'ALB change',
        'design',
        'live IPs',
        'registered after 1 run',
        'after 3 runs',
        'dead IPs registered after 1 run',
        'longest a dead IP stayed (runs)',
        'neighbour IPs registered',
        'live IPs deregistered',
        'API calls per run',
        'DNS lookups per run',
      ],
      rows,
    ),
    '',
    markdownTable(
      [
        `whole history (${comparison.records.length / DESIGNS.length} runs)`,
        'runs with every live IP registered',
        'runs with no dead IP registered',
        'live IPs deregistered',
        'API calls',
        'DNS lookups',
      ],
      totals,
    ),
    '',
    `${RUNS_PER_STEP} scheduled runs of each design after each change of one ALB, on moto; each ` +
      'design has its own target group behind the same NLB. Registered after 1 / 3 runs: share ' +
      "of the ALB's live IPs in the group after the first and third run since the change. Dead " +
      'IPs: IPs the ALB no longer has, still registered (the NLB keeps sending them connections, ' +
      'which fail). Live IPs deregistered: IPs the ALB still had that a run took out of the group. ' +
      'API calls: calls each design made to AWS (EC2 and ELBv2) per run; the published ' +
      'DNS-sampling design also reads and writes its state object in S3 every run (2 calls more, ' +
      'kept in memory by the model). The DNS-sampling design is our model, written from the ' +
      'published description (bench/dns-sampling-model.ts): up to 50 lookups a run, each ' +
      "answering at most 8 of the ALB's IPs at random, an IP deregistered after missing from 3 " +
      `runs in a row; seed ${comparison.seed}.`,
  ];
}
