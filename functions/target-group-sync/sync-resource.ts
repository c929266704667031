import { eniDescriptionFor } from '../shared/arns.js';
import { type Binding, parseBinding } from '../shared/binding.js';
import type { CustomResourceDefinition } from '../shared/custom-resource.js';
import { type SyncDependencies, type SyncSummary, writtenTargets } from './sync.js';
import { deregisterLoadBalancerIps } from './teardown.js';

/**
 * target-group-sync as a deploy-time custom resource, with the same properties as every other
 * trigger. Create and Update sync, so the target groups are filled before the stack completes, and
 * fail the deployment with the reason when the sync fails. Delete deregisters the ALB's IPs.
 *
 * The resource's identity is the load balancer alone. Changing the target groups is an Update in
 * place, which also deregisters the ALB's IPs from the groups dropped from the list. Were the
 * groups part of the identity, adding one would replace the resource, and the old resource's Delete
 * would deregister the IPs the new one had just registered.
 */
export function syncCustomResource(
  sync: (binding: Binding) => Promise<SyncSummary>,
  deps: () => SyncDependencies,
): CustomResourceDefinition<Binding> {
  const syncForDeployment = async (binding: Binding) => {
    const summary = await sync(binding);
    if (summary.albIps.length === 0 && !binding.DryRun) {
      throw new Error(
        `Found no network interface described ${JSON.stringify(eniDescriptionFor(binding.LoadBalancerArn))}, so the target groups would stay empty; check that LoadBalancerArn is the ALB to front and that its network interfaces are in this account and region`,
      );
    }
    const written = writtenTargets(summary);
    return {
      AlbIpCount: summary.albIps.length,
      Registered: written.registered,
      Deregistered: written.deregistered,
    };
  };
  return {
    kind: 'target-group-sync',
    parse: parseBinding,
    identity: (binding) => binding.LoadBalancerArn,
    create: syncForDeployment,
    async update(binding, old) {
      const data = await syncForDeployment(binding);
      if (old && old.LoadBalancerArn === binding.LoadBalancerArn) {
        const dropped = old.TargetGroupArns.filter((arn) => !binding.TargetGroupArns.includes(arn));
        if (dropped.length > 0) await deregisterLoadBalancerIps(binding, dropped, deps());
      }
      return data;
    },
    async delete(binding) {
      await deregisterLoadBalancerIps(binding, binding.TargetGroupArns, deps());
    },
  };
}
