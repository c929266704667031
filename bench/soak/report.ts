import { FAULT_KINDS } from './fault-plan.js';
import { VIOLATION_KINDS } from './invariants.js';
import type { SoakReport } from './soak.js';

/** The soak's report as Markdown tables: what ran, what was injected, what broke. */

const table = (header: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

/** Text fit for a table cell: no pipes or line breaks, cut to `max` characters. */
const cell = (text: string, max: number) => {
  // A target group's ARN is named by its name: the ids are the emulator's, new every run.
  const flat = text
    .replaceAll(/arn:aws:elasticloadbalancing:[^ ]*?targetgroup\/([^/]+)\/\w+/g, '$1')
    .replaceAll('|', '\\|')
    .replaceAll(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
};

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

/** The command that runs the same soak again, every setting given. */
export function reproduceCommand(
  report: Pick<
    SoakReport,
    | 'seed'
    | 'faultRate'
    | 'settleEvery'
    | 'resourceEventShare'
    | 'receiverFaultRate'
    | 'receiverHangRate'
  >,
  cycles: number,
) {
  return (
    `npm run soak -- --cycles ${cycles} --seed ${report.seed} --fault-rate ${report.faultRate}` +
    ` --settle-every ${report.settleEvery} --resource-event-share ${report.resourceEventShare}` +
    ` --receiver-fault-rate ${report.receiverFaultRate}` +
    ` --receiver-hang-rate ${report.receiverHangRate}`
  );
}

export function formatReport(report: SoakReport, requestedCycles: number): string {
  const runs = [...report.runs].sort(([a], [b]) => a.localeCompare(b));
  const totalRuns = sum(runs.map(([, { success, failure }]) => success + failure));
  const faultRows = FAULT_KINDS.map((kind) => {
    const byAction = report.faults.get(kind) ?? new Map<string, number>();
    const actions = [...byAction]
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([action, count]) => `${action} ${count}`)
      .join(', ');
    return [kind, sum(byAction.values()), actions || '-'];
  });
  const violationCounts = new Map<string, number>();
  for (const { kind } of report.violations) {
    violationCounts.set(kind, (violationCounts.get(kind) ?? 0) + 1);
  }
  const sections = [
    '## Soak',
    table(
      ['seed', 'fault rate', 'cycles', 'runs', 'AWS calls', 'seconds', 'result'],
      [
        [
          report.seed,
          report.faultRate,
          `${report.cycles} of ${requestedCycles}${report.interrupted ? ' (interrupted)' : ''}`,
          totalRuns,
          report.awsCalls,
          (report.elapsedMs / 1000).toFixed(1),
          report.violations.length === 0 && !report.interrupted ? 'pass' : 'FAIL',
        ],
      ],
    ),
    '### Runs',
    table(
      ['run', 'success', 'failure'],
      runs.map(([kind, { success, failure }]) => [kind, success, failure]),
    ),
    '### Churn',
    table(
      ['change', 'cycles'],
      [...report.churn].sort().map(([kind, count]) => [kind, count]),
    ),
    '### Faults injected',
    table(['kind', 'count', 'by action'], faultRows),
    '### ResponseURL faults',
    table(
      ['answer', 'count'],
      ['500', '503', 'hang'].map((answer) => [answer, report.receiverFaults.get(answer) ?? 0]),
    ),
    '### Why runs failed (error code of the reason)',
    report.failureCodes.size === 0
      ? 'No run failed.'
      : table(
          ['code', 'runs', 'first reason'],
          [...report.failureCodes]
            .sort(([, a], [, b]) => b - a)
            .map(([code, n]) => [code, n, cell(report.failureSamples.get(code) ?? '', 200)]),
        ),
    '### Invariant violations (must be 0)',
    table(
      ['invariant', 'violations'],
      VIOLATION_KINDS.map((kind) => [kind, violationCounts.get(kind) ?? 0]),
    ),
  ];
  if (report.violations.length > 0) {
    sections.push(
      '### First violations',
      table(
        ['cycle', 'invariant', 'detail'],
        report.violations
          .slice(0, 20)
          .map(({ cycle, kind, detail }) => [cycle, kind, cell(detail, 400)]),
      ),
    );
  }
  sections.push('### Reproduce', `\`${reproduceCommand(report, requestedCycles)}\``);
  return `${sections.join('\n\n')}\n`;
}
