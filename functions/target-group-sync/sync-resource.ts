import { eniDescriptionFor } from '../shared/arns.js';
import { type Binding, parseBinding } from '../shared/binding.js';
import {
  type CustomResourceDefinition,
  type CustomResourceRequest,
  stackNameOf,
} from '../shared/custom-resource.js';
import { type SyncDependencies, type SyncSummary, writtenTargets } from './sync.js';
import {
  claimTargetGroups,
  ownerTagKey,
  ownerTagValue,
  releaseTargetGroup,
} from './target-group-owners.js';
import { deregisterLoadBalancerIps } from './teardown.js';

/**
 * target-group-sync as a deploy-time custom resource, with the same properties as every other
 * trigger. Create and Update record the resource as an owner of its target groups, then sync, so
 * the groups are filled before the stack completes; they fail the deployment with the reason when
 * the sync fails. Delete releases the groups, and deregisters the ALB's IPs from those that no other
 * owner relies on (see target-group-owners.ts).
 *
 * The resource's identity is the load balancer alone. Changing the target groups is an Update in
 * place, which also releases the groups dropped from the list. Were the groups part of the
 * identity, adding one would replace the resource, and the old resource's Delete would release the
 * groups the new one had just filled.
 */
export function syncCustomResource(
  sync: (binding: Binding, signal: AbortSignal) => Promise<SyncSummary>,
  deps: () => SyncDependencies,
): CustomResourceDefinition<Binding> {
  const syncForDeployment = async (binding: Binding, request: CustomResourceRequest) => {
    if (!binding.DryRun) {
      await claimTargetGroups(
        deps().elbv2,
        binding.TargetGroupArns,
        {
          key: ownerTagKey(request.owner),
          value: ownerTagValue(stackNameOf(request.stackId), request.logicalResourceId),
        },
        request.signal,
      );
    }
    const summary = await sync(binding, request.signal);
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

  /** Gives up this resource's share of the groups; the last owner deregisters the ALB's IPs. */
  const release = async (
    binding: Binding,
    targetGroupArns: readonly string[],
    request: CustomResourceRequest,
  ): Promise<void> => {
    const dependencies = deps();
    if (binding.DryRun) {
      await deregisterLoadBalancerIps(binding, targetGroupArns, dependencies, request.signal);
      return;
    }
    const lastOwnerOf: string[] = [];
    for (const targetGroupArn of targetGroupArns) {
      const found = await releaseTargetGroup(
        dependencies.elbv2,
        targetGroupArn,
        request.owner,
        request.signal,
      );
      if (found.gone) {
        dependencies.logger.info('Target group already gone', { targetGroupArn });
      } else if (found.others.length > 0) {
        dependencies.logger.info('Other owners rely on the target group, so its targets stay', {
          targetGroupArn,
          owners: found.others,
        });
      } else {
        lastOwnerOf.push(targetGroupArn);
      }
    }
    if (lastOwnerOf.length > 0) {
      await deregisterLoadBalancerIps(binding, lastOwnerOf, dependencies, request.signal);
    }
  };

  return {
    kind: 'target-group-sync',
    parse: parseBinding,
    identity: (binding) => binding.LoadBalancerArn,
    create: syncForDeployment,
    async update(binding, old, request) {
      const data = await syncForDeployment(binding, request);
      if (old && old.LoadBalancerArn === binding.LoadBalancerArn) {
        const dropped = old.TargetGroupArns.filter((arn) => !binding.TargetGroupArns.includes(arn));
        if (dropped.length > 0) await release(binding, dropped, request);
      }
      return data;
    },
    delete: (binding, request) => release(binding, binding.TargetGroupArns, request),
  };
}
