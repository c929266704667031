import type { Binding } from '../shared/binding.js';
import { isAwsError } from '../shared/errors.js';
import { discoverLoadBalancerEnis } from '../shared/load-balancer-enis.js';
import { type Target, targetKey, writeSteps } from './plan.js';
import { type SyncDependencies, WRITE_CHUNK_SIZE } from './sync.js';
import { readRegisteredTargets, writeTargets } from './target-groups.js';

/**
 * Deregisters the load balancer's own IPs from target groups: what deleting the deploy-time custom
 * resource, or dropping a group from its list, must undo. Only the IPs discovery finds for this
 * load balancer are removed, never other targets, so a group that another binding now fills keeps
 * its targets. A group that no longer exists is already clean. A dry run writes nothing.
 */
export async function deregisterLoadBalancerIps(
  binding: Pick<Binding, 'LoadBalancerArn' | 'DryRun'>,
  targetGroupArns: readonly string[],
  deps: SyncDependencies,
  signal: AbortSignal,
): Promise<void> {
  const { LoadBalancerArn: loadBalancerArn, DryRun: dryRun } = binding;
  const albIps = new Set(
    (await discoverLoadBalancerEnis(deps.ec2, loadBalancerArn, signal)).map(
      ({ privateIp }) => privateIp,
    ),
  );
  deps.logger.info('Deregistering the ALB IPs from target groups', {
    loadBalancerArn,
    albIps: [...albIps],
    targetGroupArns,
    dryRun,
  });
  for (const targetGroupArn of targetGroupArns) {
    let registered: Awaited<ReturnType<typeof readRegisteredTargets>>;
    try {
      registered = await readRegisteredTargets(deps.elbv2, targetGroupArn, signal);
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFoundException')) {
        deps.logger.info('Target group already gone', { targetGroupArn });
        continue;
      }
      throw error;
    }
    const ours: Target[] = registered.filter(
      (target) => albIps.has(target.id) && target.state !== 'draining',
    );
    if (!dryRun) {
      const plan = { kind: 'changes', register: [], deregister: ours, unchanged: [] } as const;
      for (const step of writeSteps(plan, deps.chunkSize ?? WRITE_CHUNK_SIZE)) {
        await writeTargets(deps.elbv2, targetGroupArn, step, signal);
      }
    }
    deps.logger.info(dryRun ? 'Dry run: would deregister targets' : 'Deregistered targets', {
      targetGroupArn,
      targets: ours.map(targetKey),
    });
  }
}
