import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DiscoveryClientsFor } from '../shared/aws-clients.js';
import { type Binding, discoveryRoleOf } from '../shared/binding.js';
import { boundList } from '../shared/bounded-text.js';
import { untilAborted } from '../shared/deadline.js';
import { ConfigurationError, messageOf, TargetGroupSyncError } from '../shared/errors.js';
import {
  discoverLoadBalancerEnis,
  LOOKALIKES_WARNING,
  type LoadBalancerEni,
  type LookalikeEni,
  lookalikesLogged,
} from '../shared/load-balancer-enis.js';
import { describeEnabledZones, describeLoadBalancerOfType } from '../shared/load-balancers.js';
import type { CoreLogger, CoreMetrics, PublishingMetrics } from '../shared/observability.js';
import {
  planTargetChanges,
  type RegisteredTarget,
  type Target,
  targetKey,
  type WriteStep,
  writeSteps,
} from './plan.js';
import {
  type DescribedTargetGroup,
  describeIpTargetGroups,
  readRegisteredTargets,
  writeTargets,
} from './target-groups.js';
import { enabledZonesOf, ipsOutsideZones, ipWithZone } from './zone-coverage.js';

/**
 * RegisterTargets and DeregisterTargets document no per-call limit on targets. Sending at most this
 * many per call keeps each request small and bounds what one failed call leaves undone.
 */
export const WRITE_CHUNK_SIZE = 100;

/** How many IPs the warning about IPs outside the NLB's zones names; the rest are counted. */
const OUTSIDE_IPS_LOGGED = 5;

export const METRIC = {
  albIpCount: 'AlbIpCount',
  registered: 'TargetsRegistered',
  deregistered: 'TargetsDeregistered',
  outsideNlbZones: 'IpsOutsideNlbZones',
  errors: 'SyncErrors',
  lookalikes: 'LookalikeEnis',
} as const;

export interface SyncDependencies {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly logger: CoreLogger;
  readonly metrics: CoreMetrics;
  readonly chunkSize?: number;
  /**
   * The load balancers this container has found to be Application Load Balancers; the handler keeps
   * one set for the container's life. Without it, every run checks.
   */
  readonly checkedLoadBalancers?: Set<string>;
  /**
   * Clients for an ALB in another account, which read it through the binding's DiscoveryRoleArn.
   * Without it, a binding that names a role is refused.
   */
  readonly discoveryClients?: DiscoveryClientsFor;
}

/**
 * The clients that read the ALB (its type and its network interfaces): the binding's discovery
 * role's in the ALB's account, when it names one, else the function's own. Everything else (the
 * target groups, their targets, the NLB's zones, every write) stays in the function's account.
 */
export interface AlbReaders {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** Resolves the assumed role's credentials (cached); absent for the function's own. */
  readonly credentials?: () => Promise<unknown>;
}

export function albReaders(
  binding: Pick<Binding, 'DiscoveryRoleArn' | 'DiscoveryExternalId'>,
  deps: Pick<SyncDependencies, 'ec2' | 'elbv2' | 'discoveryClients'>,
): AlbReaders {
  const role = discoveryRoleOf(binding);
  if (!role) return { ec2: deps.ec2, elbv2: deps.elbv2 };
  if (!deps.discoveryClients) {
    throw new ConfigurationError(
      `DiscoveryRoleArn: got ${JSON.stringify(role.roleArn)}; expected none here, where no role can be assumed`,
    );
  }
  return deps.discoveryClients(role);
}

/** What happened to one target group. Targets are written `ip:port`. */
export interface TargetGroupSummary {
  readonly targetGroupArn: string;
  /** `synced`: written; `planned`: a dry run, nothing written; `failed`: see `error`. */
  readonly status: 'synced' | 'planned' | 'failed';
  readonly registered: string[];
  readonly deregistered: string[];
  readonly unchanged: string[];
  /**
   * The zones the group's load balancer has enabled, sorted. Absent when they are not known: the
   * group is attached to no load balancer yet, its load balancer could not be described, or the
   * group failed before that was read.
   */
  readonly nlbZones?: string[];
  /**
   * The ALB IPs inside the group's VPC whose zone is none of `nlbZones`, as `ip (zone)`: registered,
   * but unused until the load balancer enables their zone. Present whenever `nlbZones` is.
   */
  readonly outsideNlbZones?: string[];
  readonly error?: string;
}

export interface SyncSummary {
  readonly loadBalancerArn: string;
  readonly dryRun: boolean;
  readonly albIps: string[];
  /**
   * The interfaces with the ALB's description that Elastic Load Balancing did not create, as
   * `eni-id ip`, sorted by IP; never targets. Absent when there are none.
   */
  readonly lookalikeEnis?: string[];
  readonly targetGroups: TargetGroupSummary[];
}

/** What a run read of one target group before it discovered the ALB's IPs. */
interface TargetGroupRead {
  readonly targetGroupArn: string;
  /** Each rejects with the reason the group cannot be synced; the group's summary names it. */
  readonly targetGroup: Promise<DescribedTargetGroup>;
  readonly registered: Promise<RegisteredTarget[]>;
}

/** The enabled zones of each load balancer the groups are attached to; undefined if unread. */
type ZonesByLoadBalancer = ReadonlyMap<string, readonly string[]> | undefined;

/** The zone check of one group, as its summary reports it. */
type ZoneReport = Required<Pick<TargetGroupSummary, 'nlbZones' | 'outsideNlbZones'>>;

/**
 * Reconciles every target group of the binding with the ALB's current IPs, in two waves of reads:
 *
 * 1. Everything the input alone names, at once: the load balancer's type (once per container: it
 *    cannot change under one ARN), every group in one DescribeTargetGroups call, and each group's
 *    targets (DescribeTargetHealth takes the ARN, so it need not wait for the description).
 * 2. Once all of those have settled: the ALB's network interfaces, and the zones of the load
 *    balancers the groups are attached to (their ARNs come from the descriptions).
 *
 * So a run's IPs are never older than the targets it read: of two runs at the same time, the one
 * with the older IPs cannot have read, and so cannot deregister, an IP that the other found new and
 * registered, and the group is never emptied (an ALB's IP, once gone, does not come back; see
 * test/unit/overlapping-runs.test.ts). Each group is then planned and written on its own, so one
 * failing group does not stop the others; errors are reported in the order of the groups, whatever
 * call finished first. A wave's calls all settle before the run goes on or fails, so no call of a
 * run is left in flight. The call throws after all groups are done if any of them failed.
 */
export async function syncTargetGroups(
  binding: Binding,
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<SyncSummary> {
  const { LoadBalancerArn: loadBalancer, DryRun: dryRun } = binding;
  const loadBalancerArn = loadBalancer.arn;
  const { logger, metrics } = deps;
  let failures = 0;
  let outsideNlbZones = 0;
  try {
    const readers = albReaders(binding, deps);
    // The role is assumed first, in the first wave: a role that cannot be assumed fails the run
    // with its own error, before anything is discovered or written.
    const check = () => checkApplicationLoadBalancer(loadBalancerArn, readers.elbv2, deps, signal);
    const checking = readers.credentials
      ? untilAborted(signal, readers.credentials()).then(check)
      : check();
    const reads = readTargetGroups(binding.TargetGroupArns, deps, signal);
    const [checked] = await Promise.allSettled([
      checking,
      ...reads.flatMap(({ targetGroup, registered }) => [targetGroup, registered]),
    ]);
    if (checked.status === 'rejected') throw checked.reason;

    const zones = readEnabledZones(await attachedLoadBalancers(reads), deps, signal);
    const discovering = discoverLoadBalancerEnis(readers.ec2, loadBalancer, signal);
    const [found] = await Promise.allSettled([discovering, zones]);
    if (found.status === 'rejected') throw found.reason;
    const { enis: discovered, lookalikes } = found.value;
    reportLookalikes(loadBalancerArn, lookalikes, deps);
    const albIps = discovered.map(({ privateIp }) => privateIp);
    metrics.addMetric(METRIC.albIpCount, MetricUnit.Count, albIps.length);
    logger.debug('Discovered ALB IPs', { loadBalancerArn, networkInterfaces: discovered });
    if (albIps.length === 0) {
      logger.warn('Discovery found no network interface for the load balancer', {
        loadBalancerArn,
      });
    }

    const zonesByLoadBalancer = await zones;
    const targetGroups = await Promise.all(
      reads.map((read) =>
        syncOneTargetGroup(read, discovered, zonesByLoadBalancer, dryRun, deps, signal),
      ),
    );
    const summary: SyncSummary = {
      loadBalancerArn,
      dryRun,
      albIps,
      ...(lookalikes.length > 0 && {
        lookalikeEnis: lookalikes.map((eni) => `${eni.networkInterfaceId} ${eni.privateIp}`),
      }),
      targetGroups,
    };
    outsideNlbZones = new Set(targetGroups.flatMap((group) => group.outsideNlbZones ?? [])).size;
    const failed = targetGroups.filter((group) => group.status === 'failed');
    failures = failed.length;
    const written = writtenTargets(summary);
    metrics.addMetric(METRIC.registered, MetricUnit.Count, written.registered);
    metrics.addMetric(METRIC.deregistered, MetricUnit.Count, written.deregistered);

    const message =
      failed.length > 0 ? 'Target group sync failed' : dryRun ? 'Dry run planned' : 'Sync complete';
    logger.debug(`${message} (every IP and target)`, { summary });
    if (failed.length > 0) {
      const reasons = failed.map((group) => `${group.targetGroupArn}: ${group.error}`).join('; ');
      logger.error(message, { summary: countedSummary(summary, discovered) });
      throw new TargetGroupSyncError(
        `${failed.length} of ${targetGroups.length} target group(s) failed to sync: ${reasons}`,
        summary,
      );
    }
    logger.info(message, { summary: countedSummary(summary, discovered) });
    return summary;
  } catch (error) {
    if (!(error instanceof TargetGroupSyncError)) {
      failures = 1;
      logger.error('Sync failed before any target group was written', { loadBalancerArn, error });
    }
    throw error;
  } finally {
    // Distinct IPs, however many groups report them; 0 when none are, or nothing was checked.
    metrics.addMetric(METRIC.outsideNlbZones, MetricUnit.Count, outsideNlbZones);
    metrics.addMetric(METRIC.errors, MetricUnit.Count, failures);
  }
}

/**
 * Interfaces with the ALB's description that Elastic Load Balancing did not create are never
 * targets (load-balancer-enis.ts). Each run that sees any says so once, naming a few, and counts
 * them in a metric the stack alarms on: it is an attempt to put an address behind the static IPs,
 * or a mistake someone should see. A run that sees none writes nothing about them, so a clean
 * account's runs log no more bytes than before.
 */
function reportLookalikes(
  loadBalancerArn: string,
  lookalikes: readonly LookalikeEni[],
  deps: Pick<SyncDependencies, 'logger' | 'metrics'>,
): void {
  if (lookalikes.length === 0) return;
  deps.metrics.addMetric(METRIC.lookalikes, MetricUnit.Count, lookalikes.length);
  deps.logger.warn(LOOKALIKES_WARNING, { loadBalancerArn, ...lookalikesLogged(lookalikes) });
}

/**
 * One run as every trigger makes it: the sync, with its metrics filed under the load balancer's
 * dimension and published once it is over, whether it succeeded or not.
 */
export async function runSync(
  binding: Binding,
  deps: SyncDependencies & { readonly metrics: PublishingMetrics },
  signal: AbortSignal,
): Promise<SyncSummary> {
  deps.metrics.addDimension('LoadBalancer', binding.LoadBalancerArn.resourceId);
  try {
    return await syncTargetGroups(binding, deps, signal);
  } finally {
    deps.metrics.publishStoredMetrics();
  }
}

/**
 * Starts the reads of every group: all descriptions in one call, and each group's targets. A
 * group's failure is in its read: each promise rejects with the reason the group cannot be synced.
 */
function readTargetGroups(
  targetGroupArns: readonly string[],
  deps: SyncDependencies,
  signal: AbortSignal,
): TargetGroupRead[] {
  const described = describeIpTargetGroups(deps.elbv2, targetGroupArns, signal);
  return targetGroupArns.map((targetGroupArn, index) => ({
    targetGroupArn,
    targetGroup: described[index] as Promise<DescribedTargetGroup>,
    registered: readRegisteredTargets(deps.elbv2, targetGroupArn, signal),
  }));
}

/** Every load balancer a described group is attached to, once each; settled reads only. */
async function attachedLoadBalancers(reads: readonly TargetGroupRead[]): Promise<string[]> {
  const settled = await Promise.allSettled(reads.map(({ targetGroup }) => targetGroup));
  const arns = settled.flatMap((result) =>
    result.status === 'fulfilled' ? result.value.loadBalancerArns : [],
  );
  return [...new Set(arns)];
}

/**
 * Checks that the load balancer is an Application Load Balancer, unless this container already has:
 * a load balancer's type cannot change under the same ARN (the ARN holds a new id for every load
 * balancer made), so a warm container asks once. Only a successful check is remembered.
 */
async function checkApplicationLoadBalancer(
  loadBalancerArn: string,
  elbv2: ElasticLoadBalancingV2Client,
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<void> {
  if (deps.checkedLoadBalancers?.has(loadBalancerArn)) return;
  await describeLoadBalancerOfType(elbv2, loadBalancerArn, 'application', signal);
  deps.checkedLoadBalancers?.add(loadBalancerArn);
}

/**
 * The zones of the groups' load balancers, or undefined when they could not be read. The zones
 * only decide what is reported, never what is written, so without them the groups are still
 * synced, and the run says it could not check.
 */
async function readEnabledZones(
  loadBalancerArns: readonly string[],
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<ZonesByLoadBalancer> {
  try {
    return await describeEnabledZones(deps.elbv2, loadBalancerArns, signal);
  } catch (error) {
    // A run stopped by the deadline fails with the deadline's reason, in each group, not here.
    if (!signal.aborted) {
      deps.logger.warn(
        "Could not read the zones of the target groups' load balancers, so the ALB IPs were not checked against them",
        { loadBalancerArns, error },
      );
    }
    return undefined;
  }
}

/** A summary as the info and error logs show it: counts, zones and errors, never whole lists. */
export interface CountedSummary {
  readonly loadBalancerArn: string;
  readonly dryRun: boolean;
  readonly albIpCount: number;
  /** How many of the ALB's IPs each zone holds, zones sorted. */
  readonly albIpsByZone: Record<string, number>;
  readonly targetGroups: {
    readonly targetGroupArn: string;
    readonly status: TargetGroupSummary['status'];
    readonly registered: number;
    readonly deregistered: number;
    readonly unchanged: number;
    readonly nlbZones?: string[];
    readonly outsideNlbZones?: number;
    readonly error?: string;
  }[];
}

/**
 * The summary with its lists counted, so that a line costs the same at 10 and at 1,000 IPs: the
 * targets a run writes are logged one step at a time as it writes them, and the whole summary is
 * logged at debug level and returned.
 */
export function countedSummary(
  summary: SyncSummary,
  discovered: readonly Pick<LoadBalancerEni, 'availabilityZone'>[],
): CountedSummary {
  const byZone = new Map<string, number>();
  for (const { availabilityZone } of discovered) {
    byZone.set(availabilityZone, (byZone.get(availabilityZone) ?? 0) + 1);
  }
  return {
    loadBalancerArn: summary.loadBalancerArn,
    dryRun: summary.dryRun,
    albIpCount: summary.albIps.length,
    albIpsByZone: Object.fromEntries([...byZone].sort(([a], [b]) => a.localeCompare(b))),
    targetGroups: summary.targetGroups.map((group) => ({
      targetGroupArn: group.targetGroupArn,
      status: group.status,
      registered: group.registered.length,
      deregistered: group.deregistered.length,
      unchanged: group.unchanged.length,
      ...(group.nlbZones && { nlbZones: group.nlbZones }),
      ...(group.outsideNlbZones && { outsideNlbZones: group.outsideNlbZones.length }),
      ...(group.error !== undefined && { error: group.error }),
    })),
  };
}

/** How many targets a sync wrote, over all groups: none on a dry run, whatever it planned. */
export function writtenTargets(summary: SyncSummary): { registered: number; deregistered: number } {
  const total = (key: 'registered' | 'deregistered') =>
    summary.dryRun ? 0 : summary.targetGroups.reduce((sum, group) => sum + group[key].length, 0);
  return { registered: total('registered'), deregistered: total('deregistered') };
}

async function syncOneTargetGroup(
  read: TargetGroupRead,
  discovered: readonly LoadBalancerEni[],
  zones: ZonesByLoadBalancer,
  dryRun: boolean,
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<TargetGroupSummary> {
  const { targetGroupArn } = read;
  const { elbv2, logger } = deps;
  const done = { register: [] as Target[], deregister: [] as Target[] };
  let unchanged: readonly Target[] = [];
  let zoneReport: ZoneReport | undefined;
  try {
    const targetGroup = await read.targetGroup;
    const registered = await read.registered;
    zoneReport = checkZones(targetGroup, discovered, zones, logger);
    // The last read is done: a run stopped by the deadline goes no further, not even to plan.
    signal.throwIfAborted();
    const plan = planTargetChanges(discovered, registered, targetGroup);
    unchanged = plan.unchanged;
    if (plan.kind === 'refused') {
      return failedSummary(targetGroupArn, done, unchanged, zoneReport, plan.reason);
    }
    if (dryRun) {
      logger.info('Dry run: planned changes, nothing written', {
        targetGroupArn,
        register: plan.register.map(targetKey),
        deregister: plan.deregister.map(targetKey),
      });
      return summarise(targetGroupArn, 'planned', plan, unchanged, zoneReport);
    }
    for (const step of writeSteps(plan, deps.chunkSize ?? WRITE_CHUNK_SIZE)) {
      await writeTargets(elbv2, targetGroupArn, step, signal);
      done[step.action].push(...step.targets);
      logChange(logger, targetGroupArn, step);
    }
    return summarise(targetGroupArn, 'synced', done, unchanged, zoneReport);
  } catch (error) {
    return failedSummary(targetGroupArn, done, unchanged, zoneReport, messageOf(error));
  }
}

/**
 * Which ALB IPs the group's load balancer does not serve, when its zones are known. They are still
 * registered, like every other ALB IP: that costs nothing, and they serve as soon as the load
 * balancer enables their zone. A group attached to no load balancer yet is not checked.
 */
function checkZones(
  targetGroup: DescribedTargetGroup,
  discovered: readonly LoadBalancerEni[],
  zonesByLoadBalancer: ZonesByLoadBalancer,
  logger: CoreLogger,
): ZoneReport | undefined {
  const { targetGroupArn, loadBalancerArns } = targetGroup;
  if (loadBalancerArns.length === 0) {
    logger.info('Target group is attached to no load balancer yet, so its zones were not checked', {
      targetGroupArn,
    });
    return undefined;
  }
  const nlbZones = zonesByLoadBalancer && enabledZonesOf(loadBalancerArns, zonesByLoadBalancer);
  if (nlbZones === undefined) return undefined;
  const outside = ipsOutsideZones(discovered, targetGroup.vpcId, nlbZones).map(ipWithZone);
  if (outside.length > 0) {
    logger.warn('ALB IPs in zones the NLB does not serve', {
      targetGroupArn,
      nlbZones,
      outsideNlbZones: boundList(outside, OUTSIDE_IPS_LOGGED, ', '),
      count: outside.length,
    });
  }
  return { nlbZones, outsideNlbZones: outside };
}

function logChange(logger: CoreLogger, targetGroupArn: string, step: WriteStep): void {
  logger.info(step.action === 'register' ? 'Registered targets' : 'Deregistered targets', {
    targetGroupArn,
    targets: step.targets.map(targetKey),
  });
}

function summarise(
  targetGroupArn: string,
  status: TargetGroupSummary['status'],
  changes: { register: readonly Target[]; deregister: readonly Target[] },
  unchanged: readonly Target[],
  zoneReport: ZoneReport | undefined,
): TargetGroupSummary {
  return {
    targetGroupArn,
    status,
    registered: changes.register.map(targetKey),
    deregistered: changes.deregister.map(targetKey),
    unchanged: unchanged.map(targetKey),
    ...zoneReport,
  };
}

function failedSummary(
  targetGroupArn: string,
  done: { register: readonly Target[]; deregister: readonly Target[] },
  unchanged: readonly Target[],
  zoneReport: ZoneReport | undefined,
  error: string,
): TargetGroupSummary {
  return { ...summarise(targetGroupArn, 'failed', done, unchanged, zoneReport), error };
}
