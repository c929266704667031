import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LoadBalancerArn } from '../functions/shared/arns.js';
import { discoveryClientsFor, stsAssumeRole } from '../functions/shared/aws-clients.js';
import { type Binding, parseBinding } from '../functions/shared/binding.js';
import { boundList } from '../functions/shared/bounded-text.js';
import { isAwsError, messageOf, TargetGroupSyncError } from '../functions/shared/errors.js';
import { describeLoadBalancerOfType } from '../functions/shared/load-balancers.js';
import type { CoreLogger, CoreMetrics } from '../functions/shared/observability.js';
import type { RegisteredTarget } from '../functions/target-group-sync/plan.js';
import {
  type SyncDependencies,
  type SyncSummary,
  syncTargetGroups,
} from '../functions/target-group-sync/sync.js';
import {
  describeTargetGroups,
  readRegisteredTargets,
} from '../functions/target-group-sync/target-groups.js';
import {
  type AlbBridgeReport,
  type AlbPlacement,
  albBridgeReport,
  albPlacement,
  type BridgeReport,
  bridgeReport,
  type DescribedAlb,
  type DescribedGroup,
  EXIT,
  exitCodeOf,
  type GroupRead,
  inAnotherAccount,
  NOTHING_TO_PLAN,
  type StatusReport,
} from './report.js';
import {
  type AlbStackBridge,
  type IpStackBridge,
  readStackBridges,
  type StackBridge,
  StackError,
} from './stack.js';

/**
 * `alb-static-ip`: asks a deployed stack whether its target groups match its ALB. The AWS clients
 * take the SDK's default configuration, so the standard credential chain, AWS_REGION and
 * AWS_ENDPOINT_URL (the sandbox, an emulator) all apply. Nothing is ever written: for a bridge in
 * TargetMode ip, `status` and `plan` run the sync's own code as a dry run; for a bridge in
 * TargetMode alb, `status` reads the groups, their targets and the ALB, and `plan` reads nothing.
 */

export const USAGE = `usage: alb-static-ip <command> [options]

commands:
  status --stack NAME      per bridge, its TargetMode and static IPs, and each target group's
                           targets and their health. TargetMode ip: the ALB's IPs, IPs in zones
                           the NLB does not serve, drift, and whether TargetMode alb would fit.
                           TargetMode alb: whether each group holds the stack's ALB, in its VPC
                           and account
  plan --stack NAME        what the next sync would register and deregister (a dry run); a
                           bridge in TargetMode alb has nothing to plan
  plan --load-balancer ARN --target-group ARN [--target-group ARN ...]

options:
  --output table|json      table (default) for people, json for programs
  --timeout SECONDS        give up after this long (default 60)
  -h, --help               this help

exit codes: 0 in sync and healthy (plan: done), 1 error, 2 out of sync, 3 unhealthy, 64 usage.
AWS credentials and Region come from the usual environment (AWS_PROFILE, AWS_REGION, ...), and
AWS_ENDPOINT_URL points the calls at an emulator.`;

export interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface Options {
  readonly command: 'status' | 'plan';
  readonly stack?: string;
  readonly loadBalancer?: string;
  readonly targetGroups: string[];
  readonly output: 'table' | 'json';
  readonly timeoutMs: number;
}

/** The command line read, or the usage problem with it. */
export function readCommandLine(
  argv: readonly string[],
): { help: true } | { options: Options } | { problem: string } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        stack: { type: 'string' },
        'load-balancer': { type: 'string' },
        'target-group': { type: 'string', multiple: true },
        output: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return { problem: messageOf(error) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [command, ...extra] = positionals;
  if (command !== 'status' && command !== 'plan') {
    return {
      problem:
        command === undefined
          ? 'no command; expected status or plan'
          : `unknown command ${JSON.stringify(command)}; expected status or plan`,
    };
  }
  if (extra.length > 0) return { problem: `unexpected argument ${JSON.stringify(extra[0])}` };
  const output = (values.output as string | undefined) ?? 'table';
  if (output !== 'table' && output !== 'json') {
    return { problem: `--output: got ${JSON.stringify(output)}; expected table or json` };
  }
  const timeout = (values.timeout as string | undefined) ?? '60';
  if (!/^[1-9]\d{0,4}$/.test(timeout)) {
    return {
      problem: `--timeout: got ${JSON.stringify(timeout)}; expected whole seconds, 1 to 99999`,
    };
  }
  const stack = values.stack as string | undefined;
  const loadBalancer = values['load-balancer'] as string | undefined;
  const targetGroups = (values['target-group'] as string[] | undefined) ?? [];
  const byArns = loadBalancer !== undefined || targetGroups.length > 0;
  if (command === 'status' && (stack === undefined || byArns)) {
    return { problem: 'status takes --stack NAME (and no --load-balancer or --target-group)' };
  }
  if (command === 'plan' && (stack === undefined) === !byArns) {
    return {
      problem: 'plan takes either --stack NAME, or --load-balancer ARN and --target-group ARN',
    };
  }
  return {
    options: {
      command,
      ...(stack === undefined ? {} : { stack }),
      ...(loadBalancer === undefined ? {} : { loadBalancer }),
      targetGroups,
      output,
      timeoutMs: Number(timeout) * 1000,
    },
  };
}

/** The CLI run in-process with its output kept, for the sandbox and the tests. */
export async function runCaptured(
  argv: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** A logger and metrics that keep quiet: the CLI prints its own report. */
const QUIET_LOGGER: CoreLogger = { debug() {}, info() {}, warn() {}, error() {} };
const NO_METRICS: CoreMetrics = {
  addMetric: () => NO_METRICS as ReturnType<CoreMetrics['addMetric']>,
};

/** The CLI: returns the exit code; prints to `out`. */
export async function main(argv: readonly string[], out: Output): Promise<number> {
  const read = readCommandLine(argv);
  if ('help' in read) {
    out.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  if ('problem' in read) {
    out.stderr(`alb-static-ip: ${read.problem}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { options } = read;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const ec2 = new EC2Client({});
  const elbv2 = new ElasticLoadBalancingV2Client({});
  // A bridge whose input names a DiscoveryRoleArn (an ALB in another account) is read through that
  // role, as the sync reads it: the caller must be allowed to assume it.
  const assumeRole = stsAssumeRole();
  const discoveryClients = discoveryClientsFor(assumeRole, 'alb-static-ip-cli');
  const clients = { ec2, elbv2, discoveryClients };
  try {
    const bridges = await bridgesToCheck(options, signal);
    if (options.command === 'plan') {
      const plans: Plan[] = [];
      for (const bridge of bridges) {
        if (bridge.targetMode === 'alb') {
          plans.push({ targetMode: 'alb', bridge });
          continue;
        }
        const summary = await dryRun(bridge.binding, clients, signal);
        const report = bridgeReport(bridge, summary, new Map(), undefined);
        plans.push({ targetMode: 'ip', report });
      }
      out.stdout(options.output === 'json' ? json(plans.map(planJson)) : planTable(plans));
      const failed = plans.some(
        (plan) => plan.targetMode === 'ip' && plan.report.verdict === 'error',
      );
      return failed ? EXIT.error : EXIT.ok;
    }
    const reports: StatusReport[] = [];
    for (const bridge of bridges) {
      reports.push(
        bridge.targetMode === 'alb'
          ? await albStatus(elbv2, bridge, signal)
          : await ipStatus(bridge, clients, signal),
      );
    }
    out.stdout(options.output === 'json' ? json(reports) : statusTable(reports));
    return exitCodeOf(reports);
  } catch (error) {
    out.stderr(`alb-static-ip: ${describeFailure(error, signal, options.timeoutMs)}\n`);
    return EXIT.error;
  } finally {
    ec2.destroy();
    elbv2.destroy();
    discoveryClients.destroy();
    assumeRole.destroy();
  }
}

async function bridgesToCheck(options: Options, signal: AbortSignal): Promise<StackBridge[]> {
  if (options.stack === undefined) {
    let binding: Binding;
    try {
      binding = parseBinding({
        LoadBalancerArn: options.loadBalancer,
        TargetGroupArns: options.targetGroups,
      });
    } catch (error) {
      throw new StackError(messageOf(error));
    }
    return [{ targetMode: 'ip', name: 'bridge', binding, staticIps: [], nlbPrivateIps: [] }];
  }
  const cloudFormation = new CloudFormationClient({});
  const events = new EventBridgeClient({});
  try {
    return await readStackBridges({ cloudFormation, events }, options.stack, signal);
  } finally {
    cloudFormation.destroy();
    events.destroy();
  }
}

type SyncClients = Pick<SyncDependencies, 'ec2' | 'elbv2' | 'discoveryClients'>;

/**
 * A TargetMode ip bridge: the dry run and, at the same time, where the ALB is beside the groups
 * (which never changes the verdict); then each group's targets and their health.
 */
async function ipStatus(
  bridge: IpStackBridge,
  clients: SyncClients,
  signal: AbortSignal,
): Promise<BridgeReport> {
  const { LoadBalancerArn: loadBalancer, TargetGroupArns: targetGroupArns } = bridge.binding;
  const [summary, placement] = await Promise.all([
    dryRun(bridge.binding, clients, signal),
    readAlbAndGroups(clients.elbv2, loadBalancer, targetGroupArns, signal).then(
      ({ alb, groups }): AlbPlacement => albPlacement(loadBalancer, alb, groups),
    ),
  ]);
  const health = await readHealth(clients.elbv2, targetGroupArns, signal);
  return bridgeReport(bridge, summary, health, placement);
}

/**
 * A TargetMode alb bridge, in one wave: the groups (one DescribeTargetGroups call), the ALB
 * (DescribeLoadBalancers) and each group's targets (DescribeTargetHealth). There is no dry run:
 * AWS keeps the ALB registered and follows its IPs, and nothing of ours runs.
 */
async function albStatus(
  elbv2: ElasticLoadBalancingV2Client,
  bridge: AlbStackBridge,
  signal: AbortSignal,
): Promise<AlbBridgeReport> {
  const { loadBalancer, targetGroupArns } = bridge;
  const [{ alb, groups }, health] = await Promise.all([
    readAlbAndGroups(elbv2, loadBalancer, targetGroupArns, signal),
    readHealth(elbv2, targetGroupArns, signal),
  ]);
  // A read cut short by --timeout says so, not what the cut left.
  signal.throwIfAborted();
  return albBridgeReport(
    bridge,
    alb,
    groups.map((group) => ({
      ...group,
      registered: health.get(group.targetGroupArn) as RegisteredTarget[] | Error,
    })),
  );
}

/**
 * The ALB (DescribeLoadBalancers: its type, VPC and state) and the groups (one DescribeTargetGroups
 * call), at once; each read is its answer or why there is none. An ALB in another account than the
 * groups is not read: the caller's credentials are the groups' account's, and the account alone
 * decides.
 */
async function readAlbAndGroups(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancer: LoadBalancerArn,
  targetGroupArns: readonly string[],
  signal: AbortSignal,
): Promise<{ alb: DescribedAlb | Error; groups: GroupRead[] }> {
  const groups = describeTargetGroups(elbv2, targetGroupArns, signal);
  const alb = inAnotherAccount(loadBalancer, targetGroupArns)
    ? Promise.reject(new Error(`not read: ${loadBalancer.arn} is in another account`))
    : describeLoadBalancerOfType(elbv2, loadBalancer.arn, 'application', signal);
  const [albRead, ...groupReads] = await Promise.allSettled([alb, ...groups]);
  return {
    alb: settled(albRead as PromiseSettledResult<DescribedAlb>),
    groups: targetGroupArns.map((targetGroupArn, index) => ({
      targetGroupArn,
      described: settled(groupReads[index] as PromiseSettledResult<DescribedGroup>),
    })),
  };
}

const settled = <T>(result: PromiseSettledResult<T>): T | Error =>
  result.status === 'fulfilled' ? result.value : reasonOf(result.reason);

/** A read's failure as the report says it: its message, and its AWS cause's when it has one. */
function reasonOf(reason: unknown): Error {
  const cause: unknown = Object(reason).cause;
  return new Error(
    cause instanceof Error ? `${messageOf(reason)}: ${cause.message}` : messageOf(reason),
  );
}

/** The sync's own run, writing nothing: what it would register and deregister. */
function dryRun(binding: Binding, clients: SyncClients, signal: AbortSignal): Promise<SyncSummary> {
  return syncTargetGroups(
    { ...binding, DryRun: true },
    { ...clients, logger: QUIET_LOGGER, metrics: NO_METRICS },
    signal,
  ).catch((error: unknown) => {
    // A failed group is in the summary the sync throws with; anything else fails the command.
    if (error instanceof TargetGroupSyncError) return error.summary as SyncSummary;
    throw error;
  });
}

async function readHealth(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArns: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, RegisteredTarget[] | Error>> {
  const read = await Promise.allSettled(
    targetGroupArns.map((arn) => readRegisteredTargets(elbv2, arn, signal)),
  );
  return new Map(
    targetGroupArns.map((arn, index) => {
      const result = read[index] as PromiseSettledResult<RegisteredTarget[]>;
      return [arn, settled(result)];
    }),
  );
}

function describeFailure(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `gave up after ${timeoutMs / 1000} s (--timeout)`;
  if (error instanceof StackError) return error.message;
  const message = messageOf(error);
  const cause = (error as { cause?: { message?: string } }).cause;
  if (isAwsError(error, 'AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation')) {
    return `not allowed: ${cause?.message ?? message}. The CLI needs cloudformation:DescribeStacks and ListStackResources, events:ListTargetsByRule, ec2:DescribeNetworkInterfaces, and elasticloadbalancing:DescribeLoadBalancers, DescribeTargetGroups and DescribeTargetHealth`;
  }
  return cause?.message ? `${message}: ${cause.message}` : message;
}

/** One bridge's plan: the dry run's report (TargetMode ip), or nothing to plan (TargetMode alb). */
type Plan =
  | { readonly targetMode: 'ip'; readonly report: BridgeReport }
  | { readonly targetMode: 'alb'; readonly bridge: AlbStackBridge };

const planJson = (plan: Plan) =>
  plan.targetMode === 'alb'
    ? {
        bridge: plan.bridge.name,
        targetMode: plan.targetMode,
        loadBalancerArn: plan.bridge.loadBalancer.arn,
        targetGroupArns: plan.bridge.targetGroupArns,
        plan: NOTHING_TO_PLAN,
      }
    : {
        bridge: plan.report.bridge,
        targetMode: plan.targetMode,
        loadBalancerArn: plan.report.loadBalancerArn,
        albIps: plan.report.albIps,
        // JSON leaves out an error that is undefined.
        groups: plan.report.groups.map(({ targetGroupArn, toRegister, toDeregister, error }) => ({
          targetGroupArn,
          toRegister,
          toDeregister,
          error,
        })),
      };

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Rows of cells as aligned columns, the first row the heading. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const groupName = (arn: string): string => arn.split(':targetgroup/').pop() ?? arn;
const listed = (items: readonly string[]): string => (items.length === 0 ? '-' : items.join(', '));

function statusTable(reports: readonly StatusReport[]): string {
  return reports
    .map((report) => (report.targetMode === 'alb' ? albStatusTable(report) : ipStatusTable(report)))
    .join('\n');
}

function ipStatusTable(report: BridgeReport): string {
  const heading = [
    `${report.bridge}: ${report.verdict}`,
    `  mode         ${report.targetMode}`,
    `  ALB          ${report.loadBalancerArn}`,
    `  static IPs   ${listed(report.staticIps)}`,
    `  NLB IPs      ${listed(report.nlbPrivateIps)}`,
    `  ALB IPs      ${listed(report.albIps)}`,
    ...(report.lookalikeEnis ? [`  lookalikes   ${lookalikes(report.lookalikeEnis)}`] : []),
    ...(report.placement ? [`  placement    ${report.placement.note}`] : []),
  ];
  const rows = [['target group', 'target', 'state', 'reason', 'next sync']];
  for (const group of report.groups) {
    const name = groupName(group.targetGroupArn);
    if (group.error !== undefined) rows.push([name, '-', 'error', group.error, '-']);
    for (const target of group.targets) {
      const leaving = group.toDeregister.includes(target.target);
      rows.push([
        name,
        target.target,
        target.state,
        target.reason ?? '',
        leaving ? 'deregister' : '',
      ]);
    }
    for (const target of group.toRegister) rows.push([name, target, '-', '', 'register']);
    for (const outside of group.outsideNlbZones) {
      rows.push([name, outside, 'outside the NLB zones', '', '']);
    }
  }
  return `${heading.join('\n')}\n\n${table(rows)}\n`;
}

/** The lookalikes of a bridge's ALB: how many, which, and why they are not among its IPs. */
const lookalikes = (enis: readonly string[]): string =>
  `${enis.length} (${boundList(enis, LOOKALIKES_SHOWN, ', ')}): carry the ALB's description, not created by Elastic Load Balancing; never registered`;
/** How many lookalikes the status line names: anyone can make many; the rest are counted. */
const LOOKALIKES_SHOWN = 5;

function albStatusTable(report: AlbBridgeReport): string {
  const heading = [
    `${report.bridge}: ${report.verdict}`,
    `  mode         ${report.targetMode}`,
    `  ALB          ${report.loadBalancerArn}`,
    `  ALB VPC      ${report.albVpcId ?? '-'}, state ${report.albState ?? '-'}`,
    `  static IPs   ${listed(report.staticIps)}`,
    `  NLB IPs      ${listed(report.nlbPrivateIps)}`,
  ];
  const rows = [['target group', 'target', 'state', 'reason']];
  for (const group of report.groups) {
    const name = groupName(group.targetGroupArn);
    if (group.error !== undefined) rows.push([name, '-', 'error', group.error]);
    if (group.targets.length === 0) rows.push([name, '-', 'no target', '']);
    for (const target of group.targets) {
      rows.push([name, target.target, target.state, target.reason ?? '']);
    }
  }
  return `${heading.join('\n')}\n\n${table(rows)}\n`;
}

function planTable(plans: readonly Plan[]): string {
  const rows = [['target group', 'register', 'deregister']];
  const nothing: string[] = [];
  for (const plan of plans) {
    if (plan.targetMode === 'alb') {
      nothing.push(`${plan.bridge.name}: ${NOTHING_TO_PLAN}\n`);
      continue;
    }
    for (const group of plan.report.groups) {
      rows.push([
        groupName(group.targetGroupArn),
        group.error === undefined ? listed(group.toRegister) : `error: ${group.error}`,
        group.error === undefined ? listed(group.toDeregister) : '-',
      ]);
    }
  }
  return `${rows.length > 1 ? `${table(rows)}\n` : ''}${nothing.join('')}`;
}
