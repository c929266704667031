import type { Binding } from '../shared/binding.js';
import { isAwsError } from '../shared/errors.js';
import { discoverLoadBalancerEnis } from '../shared/load-balancer-enis.js';
import { planTeardown, type RegisteredTarget, targetKey, writeSteps } from './plan.js';
import { albReaders, type SyncDependencies, WRITE_CHUNK_SIZE } from './sync.js';
import { readRegisteredTargets, writeTargets } from './target-groups.js';

/**
 * Deregisters the load balancer's own IPs from target groups: what deleting the deploy-time custom
 * resource, or dropping a group from its list, must undo. Only the ALB's IPs are removed, never
 * other targets (planTeardown), so a group that another binding now fills keeps its targets. A
 * group that no longer exists is already clean. A dry run writes nothing.
 *
 * `albIps` are the IPs a sync of this same request has just discovered (an Update that drops
 * groups); without them, the ALB's interfaces are discovered here (a Delete).
 */
export async function deregisterLoadBalancerIps(
  binding: Pick<Binding, 'LoadBalancerArn' | 'DryRun' | 'DiscoveryRoleArn' | 'DiscoveryExternalId'>,
  targetGroupArns: readonly string[],
  deps: SyncDependencies,
  signal: AbortSignal,
  albIps?: readonly string[],
): Promise<void> {
  const { LoadBalancerArn: loadBalancer, DryRun: dryRun } = binding;
  const ips =
    albIps ??
    // An ALB in another account is read through its discovery role (sync.ts, albReaders).
    // Elastic Load Balancing's own interfaces only: the sync never registers a lookalike's IP
    // (load-balancer-enis.ts), so there is none of theirs to undo.
    (await discoverLoadBalancerEnis(albReaders(binding, deps).ec2, loadBalancer, signal)).enis.map(
      ({ privateIp }) => privateIp,
    );
  deps.logger.info('Deregistering the ALB IPs from target groups', {
    loadBalancerArn: loadBalancer.arn,
    albIpCount: ips.length,
    targetGroupArns,
    dryRun,
  });
  deps.logger.debug('The ALB IPs to deregister', { albIps: ips });
  for (const targetGroupArn of targetGroupArns) {
    let registered: RegisteredTarget[];
    try {
      registered = await readRegisteredTargets(deps.elbv2, targetGroupArn, signal);
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFoundException')) {
        deps.logger.info('Target group already gone', { targetGroupArn });
        continue;
      }
      throw error;
    }
    const plan = planTeardown(ips, registered);
    if (!dryRun) {
      for (const step of writeSteps(plan, deps.chunkSize ?? WRITE_CHUNK_SIZE)) {
        await writeTargets(deps.elbv2, targetGroupArn, step, signal);
      }
    }
    deps.logger.info(dryRun ? 'Dry run: would deregister targets' : 'Deregistered targets', {
      targetGroupArn,
      targets: plan.deregister.map(targetKey),
    });
  }
}
