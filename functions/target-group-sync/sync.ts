import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Binding } from '../shared/binding.js';
import { boundList } from '../shared/bounded-text.js';
import { TargetGroupSyncError } from '../shared/errors.js';
import { discoverLoadBalancerEnis } from '../shared/load-balancer-enis.js';
import { describeEnabledZones, describeLoadBalancerOfType } from '../shared/load-balancers.js';
import type { CoreLogger, CoreMetrics } from '../shared/observability.js';
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
  describeIpTargetGroup,
  readRegisteredTargets,
  writeTargets,
} from './target-groups.js';
import { enabledZonesOf, ipsOutsideZones, ipWithZone, type ZonedIp } from './zone-coverage.js';

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
} as const;

export interface SyncDependencies {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly logger: CoreLogger;
  readonly metrics: CoreMetrics;
  readonly chunkSize?: number;
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
 * Reconciles every target group of the binding with the ALB's current IPs. The load balancer is
 * checked while every group is read (described, then its targets), and only then are the ALB's
 * network interfaces discovered, once, whatever the number of groups. So a run's IPs are
 * never older than the targets it read: of two runs at the same time, the one with the older IPs
 * cannot have read, and so cannot deregister, an IP that the other found new and registered, and
 * the group is never emptied (an ALB's IP, once gone, does not come back; see
 * test/unit/overlapping-runs.test.ts). Each group is planned and written on its own, so one failing
 * group does not stop the others. The call throws after all groups are done if any of them failed.
 */
export async function syncTargetGroups(
  binding: Binding,
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<SyncSummary> {
  const { LoadBalancerArn: loadBalancerArn, DryRun: dryRun } = binding;
  const { logger, metrics } = deps;
  let failures = 0;
  let outsideNlbZones = 0;
  try {
    // The load balancer's check and the groups' reads are all reads, so they run at once: three
    // round trips one after another, not four. Discovery waits for both, and a failed check fails
    // the run once the reads have settled, so that no call of this run is left in flight.
    const checking = describeLoadBalancerOfType(deps.elbv2, loadBalancerArn, 'application', signal);
    const reading = readTargetGroups(binding.TargetGroupArns, deps, signal);
    const [checked] = await Promise.allSettled([checking, reading]);
    if (checked.status === 'rejected') throw checked.reason;
    const { reads, zones } = await reading;
    const enis = await discoverLoadBalancerEnis(deps.ec2, loadBalancerArn, signal);
    const discovered: ZonedIp[] = enis.map(({ privateIp, vpcId, availabilityZone }) => ({
      ip: privateIp,
      vpcId,
      availabilityZone,
    }));
    const albIps = discovered.map(({ ip }) => ip);
    metrics.addMetric(METRIC.albIpCount, MetricUnit.Count, albIps.length);
    logger.info('Discovered ALB IPs', {
      loadBalancerArn,
      albIps,
      networkInterfaces: enis.map(({ networkInterfaceId, availabilityZone, privateIp }) => ({
        networkInterfaceId,
        availabilityZone,
        privateIp,
      })),
    });
    if (albIps.length === 0) {
      logger.warn('Discovery found no network interface for the load balancer', {
        loadBalancerArn,
      });
    }

    const targetGroups = await Promise.all(
      reads.map((read) => syncOneTargetGroup(read, discovered, zones, dryRun, deps, signal)),
    );
    const summary: SyncSummary = { loadBalancerArn, dryRun, albIps, targetGroups };
    outsideNlbZones = new Set(targetGroups.flatMap((group) => group.outsideNlbZones ?? [])).size;
    const failed = targetGroups.filter((group) => group.status === 'failed');
    failures = failed.length;
    const written = writtenTargets(summary);
    metrics.addMetric(METRIC.registered, MetricUnit.Count, written.registered);
    metrics.addMetric(METRIC.deregistered, MetricUnit.Count, written.deregistered);

    if (failed.length > 0) {
      const reasons = failed.map((group) => `${group.targetGroupArn}: ${group.error}`).join('; ');
      logger.error('Target group sync failed', { summary });
      throw new TargetGroupSyncError(
        `${failed.length} of ${targetGroups.length} target group(s) failed to sync: ${reasons}`,
        summary,
      );
    }
    logger.info(dryRun ? 'Dry run planned' : 'Sync complete', { summary });
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
 * Reads every group, each on its own: described, then its targets. Once all are described, the
 * zones of every load balancer they are attached to are read in one call, beside the reads of the
 * targets; the returned zones are never a rejection. Never rejects: a group's failure is in its
 * read. Returns when every group's reads are done.
 */
async function readTargetGroups(
  targetGroupArns: readonly string[],
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<{ reads: TargetGroupRead[]; zones: Promise<ZonesByLoadBalancer> }> {
  const described = targetGroupArns.map((targetGroupArn) => ({
    targetGroupArn,
    targetGroup: describeIpTargetGroup(deps.elbv2, targetGroupArn, signal),
  }));
  const settled = await Promise.allSettled(described.map(({ targetGroup }) => targetGroup));
  const loadBalancerArns = new Set(
    settled.flatMap((result) =>
      result.status === 'fulfilled' ? result.value.loadBalancerArns : [],
    ),
  );
  const zones = readEnabledZones([...loadBalancerArns], deps, signal);
  const reads = described.map(({ targetGroupArn, targetGroup }) => ({
    targetGroupArn,
    targetGroup,
    registered: targetGroup.then(() => readRegisteredTargets(deps.elbv2, targetGroupArn, signal)),
  }));
  await Promise.allSettled(reads.map(({ registered }) => registered));
  return { reads, zones };
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

/** How many targets a sync wrote, over all groups: none on a dry run, whatever it planned. */
export function writtenTargets(summary: SyncSummary): { registered: number; deregistered: number } {
  const total = (key: 'registered' | 'deregistered') =>
    summary.dryRun ? 0 : summary.targetGroups.reduce((sum, group) => sum + group[key].length, 0);
  return { registered: total('registered'), deregistered: total('deregistered') };
}

async function syncOneTargetGroup(
  read: TargetGroupRead,
  discovered: readonly ZonedIp[],
  zones: Promise<ZonesByLoadBalancer>,
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
    zoneReport = checkZones(targetGroup, discovered, await zones, logger);
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
    const message = error instanceof Error ? error.message : String(error);
    return failedSummary(targetGroupArn, done, unchanged, zoneReport, message);
  }
}

/**
 * Which ALB IPs the group's load balancer does not serve, when its zones are known. They are still
 * registered, like every other ALB IP: that costs nothing, and they serve as soon as the load
 * balancer enables their zone. A group attached to no load balancer yet is not checked.
 */
function checkZones(
  targetGroup: DescribedTargetGroup,
  discovered: readonly ZonedIp[],
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
