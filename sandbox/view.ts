import type { BridgeReport } from '../cli/report.js';
import type { AppliedChange } from './alb.js';
import type { Invocation } from './lambda-service.js';

// What `npm start` shows, as pure functions of what happened: one line per event (an ALB change,
// a function run, a custom resource's answer), the bridge's state (static IPs, the ALB's IPs, each
// target group's targets), and the summary table at the end. A terminal gets the state redrawn in
// place under the latest lines; anything else (CI, a pipe) gets plain lines, written once.

/** `+12.3s` from the start of the run. */
export function elapsed(ms: number): string {
  return `+${(Math.max(0, ms) / 1000).toFixed(1).padStart(5)}s`;
}

/** Bytes as people read them: `812 B`, `4.4 kB`. */
export function bytes(count: number): string {
  return count < 1000 ? `${count} B` : `${(count / 1000).toFixed(1)} kB`;
}

/** A target group ARN's name: `targetgroup/NAME/ID` gives NAME. */
export function groupName(targetGroupArn: string): string {
  return /targetgroup\/([^/]+)\//.exec(targetGroupArn)?.[1] ?? targetGroupArn;
}

export function describeChange(change: AppliedChange, nlbZones: readonly string[]): string {
  const where = nlbZones.includes(change.zone)
    ? change.zone
    : `${change.zone}, a zone the NLB does not serve`;
  const created = change.kind === 'add' || change.kind === 'add lookalike';
  const call = created ? 'CreateNetworkInterface' : 'DeleteNetworkInterface';
  if (change.kind === 'add' || change.kind === 'remove') {
    const event = change.eventSent
      ? `${call} event sent`
      : 'its event is lost: only the schedule will see it';
    return `ALB ${created ? 'adds' : 'removes'} node ${change.ip} (${where}); ${event}`;
  }
  // The stack's ENI rule (template.yaml, EniChangeRule) matches calls by Elastic Load Balancing's
  // service-linked role only, so a user's event runs nothing: the schedule's runs meet the lookalike.
  const event = change.eventSent
    ? `${call} event sent as the user's call, which the ENI rule does not match (ELB's role only)`
    : 'its event is lost';
  return `an IAM user ${created ? 'creates' : 'deletes'} lookalike ENI ${change.eniId} ${change.ip} (${where}) with the ALB's description; ${event}`;
}

/** What delivered an invocation: `rule/<rule name>` becomes the rule's label, when it has one. */
export type RuleLabels = ReadonlyMap<string, string>;

/** The trigger of a run, as people name it. */
export function triggerOf(
  invocation: Pick<Invocation, 'source' | 'event'>,
  ruleLabels: RuleLabels,
): string {
  if (invocation.source === 'cloudformation') {
    const request = invocation.event as { RequestType?: string; LogicalResourceId?: string };
    return `CloudFormation ${request.RequestType} of ${request.LogicalResourceId}`;
  }
  if (invocation.source.startsWith('rule/')) {
    const rule = invocation.source.slice('rule/'.length);
    return ruleLabels.get(rule) ?? `rule ${rule}`;
  }
  return 'Lambda Invoke';
}

interface SyncResult {
  readonly albIps?: readonly string[];
  readonly targetGroups?: readonly {
    readonly registered: readonly string[];
    readonly deregistered: readonly string[];
    readonly status: string;
  }[];
}

interface CustomResourceResult {
  readonly Status?: string;
  readonly Reason?: string;
  readonly Data?: Record<string, unknown>;
}

/** What a run wrote: the targets registered and deregistered, over all groups. */
export function writesOf(result: unknown): { registered: string[]; deregistered: string[] } {
  const groups = (result as SyncResult | null)?.targetGroups ?? [];
  return {
    registered: groups.flatMap((group) => group.registered),
    deregistered: groups.flatMap((group) => group.deregistered),
  };
}

/**
 * The targets a step's runs wrote, each counted once. Runs overlap (an ENI-event run beside a
 * scheduled one, or scheduled runs that pile up on a busy machine), and each run that read the group
 * before the others wrote reports the same registration or deregistration again: ELB takes a
 * repeated write as a no-op, and so does this count.
 */
export function distinctWrites(results: readonly unknown[]): {
  registered: number;
  deregistered: number;
} {
  const registered = new Set<string>();
  const deregistered = new Set<string>();
  for (const result of results) {
    const writes = writesOf(result);
    for (const target of writes.registered) registered.add(target);
    for (const target of writes.deregistered) deregistered.add(target);
  }
  return { registered: registered.size, deregistered: deregistered.size };
}

/** One line for a function run: its trigger, what it did, how long, how many log bytes. */
export function describeInvocation(invocation: Invocation, ruleLabels: RuleLabels): string {
  const name = invocation.functionName.replace(/^.*-(\w+)Function-\w+$/, '$1');
  const cost = `${invocation.durationMs} ms${invocation.coldStart ? ' (cold start)' : ''}, ${bytes(invocation.logBytes)} of logs`;
  const head = `${name} via ${triggerOf(invocation, ruleLabels)}`;
  if (invocation.errored) {
    const error = invocation.result as { errorMessage?: string } | null;
    return `${head}: FAILED ${error?.errorMessage ?? ''} (${cost})`;
  }
  if (invocation.source === 'cloudformation') {
    const answer = invocation.result as CustomResourceResult | null;
    const data = Object.entries(answer?.Data ?? {})
      .map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(' ') : String(value)}`)
      .join(', ');
    return `${head}: ${answer?.Status ?? '?'}${data ? ` (${data})` : ''}${answer?.Reason ? `: ${answer.Reason}` : ''}; ${cost}`;
  }
  const { registered, deregistered } = writesOf(invocation.result);
  const wrote = [
    registered.length > 0 ? `registered ${registered.join(' ')}` : '',
    deregistered.length > 0 ? `deregistered ${deregistered.join(' ')}` : '',
  ].filter((part) => part !== '');
  return `${head}: ${wrote.length > 0 ? wrote.join('; ') : 'no change'} (${cost})`;
}

/** Whether the groups hold exactly the ALB's IPs: the next sync would write nothing. */
export function converged(report: BridgeReport): boolean {
  return report.groups.every(
    (group) =>
      group.error === undefined && group.toRegister.length === 0 && group.toDeregister.length === 0,
  );
}

/**
 * The bridge's state, a few lines: static IPs, the ALB's IPs, the lookalikes when there are any,
 * each group, the verdict.
 */
export function statePanel(report: BridgeReport): string[] {
  const outside = new Set(
    report.groups.flatMap((group) => group.outsideNlbZones.map((entry) => entry.split(' ')[0])),
  );
  const alb = report.albIps.map((ip) => (outside.has(ip) ? `${ip} (zone not served)` : ip));
  const lines = [
    `  static IPs     ${report.staticIps.join('  ') || '-'}   (NLB private: ${report.nlbPrivateIps.join(' ') || '-'})`,
    `  ALB IPs        ${alb.join('  ') || '-'}`,
  ];
  // Interfaces with the ALB's description that ELB did not create: never targets, so apart from the
  // ALB's IPs, and shown so that whoever watches asks who made them.
  if (report.lookalikeEnis !== undefined) {
    lines.push(`  lookalikes     ${report.lookalikeEnis.join('  ')}  (not ELB's, never a target)`);
  }
  for (const group of report.groups) {
    const targets = group.targets.map(({ target }) => target.replace(/:\d+$/, ''));
    const port = /:(\d+)$/.exec(group.targets[0]?.target ?? '')?.[1];
    const label = `  group${port ? ` :${port}` : ''}`.padEnd(17);
    lines.push(`${label}${targets.join('  ') || '(empty)'}`);
  }
  lines.push(`  verdict        ${converged(report) ? 'in sync' : report.verdict}`);
  return lines;
}

/** One step of the run, as the summary table shows it. */
export interface StepRecord {
  readonly name: string;
  readonly albIps: number;
  readonly registered: number;
  readonly deregistered: number;
  /** From the change to the groups matching the ALB; undefined if they never did. */
  readonly convergedMs?: number;
  /** The trigger of the run that made them match. */
  readonly by?: string;
}

export interface Totals {
  readonly runs: number;
  readonly failedRuns: number;
  readonly coldStarts: number;
  readonly logBytes: number;
  readonly byTrigger: Readonly<Record<string, number>>;
}

/** The table at the end: one row per step, then the totals. */
export function summaryTable(steps: readonly StepRecord[], totals: Totals): string[] {
  const rows = [
    ['step', 'ALB IPs', 'registered', 'deregistered', 'in sync after', 'by'],
    ...steps.map((step) => [
      step.name,
      String(step.albIps),
      String(step.registered),
      String(step.deregistered),
      step.convergedMs === undefined ? 'NOT IN SYNC' : `${(step.convergedMs / 1000).toFixed(1)} s`,
      step.by ?? '-',
    ]),
  ];
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths?.[column] ?? 0))
      .join('  ')
      .trimEnd();
  const triggers = Object.entries(totals.byTrigger)
    .map(([trigger, count]) => `${count} by ${trigger}`)
    .join(', ');
  return [
    line(rows[0] ?? []),
    line((widths ?? []).map((width) => '-'.repeat(width))),
    ...rows.slice(1).map(line),
    '',
    `function runs: ${totals.runs} (${triggers}); ${totals.failedRuns} failed; ${totals.coldStarts} cold starts; ${bytes(totals.logBytes)} of logs${totals.runs > 0 ? ` (${bytes(Math.round(totals.logBytes / totals.runs))} a run)` : ''}`,
  ];
}
