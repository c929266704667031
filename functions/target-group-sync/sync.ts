import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Binding } from '../shared/binding.js';
import { TargetGroupSyncError } from '../shared/errors.js';
import { discoverLoadBalancerEnis } from '../shared/load-balancer-enis.js';
import { describeLoadBalancerOfType } from '../shared/load-balancers.js';
import type { CoreLogger, CoreMetrics } from '../shared/observability.js';
import {
  type DiscoveredIp,
  planTargetChanges,
  type Target,
  targetKey,
  type WriteStep,
  writeSteps,
} from './plan.js';
import { describeIpTargetGroup, readRegisteredTargets, writeTargets } from './target-groups.js';

/**
 * RegisterTargets and DeregisterTargets document no per-call limit on targets. Sending at most this
 * many per call keeps each request small and bounds what one failed call leaves undone.
 */
export const WRITE_CHUNK_SIZE = 100;

export const METRIC = {
  albIpCount: 'AlbIpCount',
  registered: 'TargetsRegistered',
  deregistered: 'TargetsDeregistered',
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
  readonly error?: string;
}

export interface SyncSummary {
  readonly loadBalancerArn: string;
  readonly dryRun: boolean;
  readonly albIps: string[];
  readonly targetGroups: TargetGroupSummary[];
}

/**
 * Reconciles every target group of the binding with the ALB's current IPs. The load balancer is
 * checked and its network interfaces discovered once, whatever the number of target groups; each
 * group is then planned and written on its own, so one failing group does not stop the others. The
 * call throws after all groups are done if any of them failed.
 */
export async function syncTargetGroups(
  binding: Binding,
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<SyncSummary> {
  const { LoadBalancerArn: loadBalancerArn, DryRun: dryRun } = binding;
  const { logger, metrics } = deps;
  let failures = 0;
  try {
    await describeLoadBalancerOfType(deps.elbv2, loadBalancerArn, 'application', signal);
    const enis = await discoverLoadBalancerEnis(deps.ec2, loadBalancerArn, signal);
    const discovered: DiscoveredIp[] = enis.map(({ privateIp, vpcId }) => ({
      ip: privateIp,
      vpcId,
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
      binding.TargetGroupArns.map((targetGroupArn) =>
        syncOneTargetGroup(targetGroupArn, discovered, dryRun, deps, signal),
      ),
    );
    const summary: SyncSummary = { loadBalancerArn, dryRun, albIps, targetGroups };
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
    metrics.addMetric(METRIC.errors, MetricUnit.Count, failures);
  }
}

/** How many targets a sync wrote, over all groups: none on a dry run, whatever it planned. */
export function writtenTargets(summary: SyncSummary): { registered: number; deregistered: number } {
  const total = (key: 'registered' | 'deregistered') =>
    summary.dryRun ? 0 : summary.targetGroups.reduce((sum, group) => sum + group[key].length, 0);
  return { registered: total('registered'), deregistered: total('deregistered') };
}

async function syncOneTargetGroup(
  targetGroupArn: string,
  discovered: readonly DiscoveredIp[],
  dryRun: boolean,
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<TargetGroupSummary> {
  const { elbv2, logger } = deps;
  const done = { register: [] as Target[], deregister: [] as Target[] };
  let unchanged: readonly Target[] = [];
  try {
    const targetGroup = await describeIpTargetGroup(elbv2, targetGroupArn, signal);
    const registered = await readRegisteredTargets(elbv2, targetGroupArn, signal);
    const plan = planTargetChanges(discovered, registered, targetGroup);
    unchanged = plan.unchanged;
    if (plan.kind === 'refused') {
      return failedSummary(targetGroupArn, done, unchanged, plan.reason);
    }
    if (dryRun) {
      logger.info('Dry run: planned changes, nothing written', {
        targetGroupArn,
        register: plan.register.map(targetKey),
        deregister: plan.deregister.map(targetKey),
      });
      return summarise(targetGroupArn, 'planned', plan, unchanged);
    }
    for (const step of writeSteps(plan, deps.chunkSize ?? WRITE_CHUNK_SIZE)) {
      await writeTargets(elbv2, targetGroupArn, step, signal);
      done[step.action].push(...step.targets);
      logChange(logger, targetGroupArn, step);
    }
    return summarise(targetGroupArn, 'synced', done, unchanged);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failedSummary(targetGroupArn, done, unchanged, message);
  }
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
): TargetGroupSummary {
  return {
    targetGroupArn,
    status,
    registered: changes.register.map(targetKey),
    deregistered: changes.deregister.map(targetKey),
    unchanged: unchanged.map(targetKey),
  };
}

function failedSummary(
  targetGroupArn: string,
  done: { register: readonly Target[]; deregister: readonly Target[] },
  unchanged: readonly Target[],
  error: string,
): TargetGroupSummary {
  return { ...summarise(targetGroupArn, 'failed', done, unchanged), error };
}
