import { type Binding, parseBinding } from '../shared/binding.js';
import { boundList } from '../shared/bounded-text.js';
import {
  type CustomResourceDefinition,
  type CustomResourceRequest,
  stackNameOf,
} from '../shared/custom-resource.js';
import { ZoneMismatchError } from '../shared/errors.js';
import type { PublishingMetrics } from '../shared/observability.js';
import { runSync, type SyncDependencies, type SyncSummary, writtenTargets } from './sync.js';
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
 * A new resource (a Create, or an Update to another load balancer) also fails when a group's load
 * balancer has enabled none of the zones the ALB's IPs are in: nothing would be served. A failed
 * new resource is rolled back by a Delete. An Update in place is not failed for it, because its
 * rollback is another Update, which would fail the same way and leave the stack stuck in
 * UPDATE_ROLLBACK_FAILED; the sync's warning and metric report it. A dry run is not failed either:
 * it is the way to look at a bridge before it writes, and its summary and warning say the same.
 *
 * The resource's identity is the load balancer alone. Changing the target groups is an Update in
 * place, which also releases the groups dropped from the list. Were the groups part of the
 * identity, adding one would replace the resource, and the old resource's Delete would release the
 * groups the new one had just filled.
 */
export function syncCustomResource(
  deps: SyncDependencies & { readonly metrics: PublishingMetrics },
): CustomResourceDefinition<Binding> {
  const syncForDeployment = async (
    binding: Binding,
    request: CustomResourceRequest,
    isNew: boolean,
  ): Promise<{ summary: SyncSummary; data: Record<string, number> }> => {
    if (!binding.DryRun) {
      await claimTargetGroups(
        deps.elbv2,
        binding.TargetGroupArns,
        {
          key: ownerTagKey(request.owner),
          value: ownerTagValue(stackNameOf(request.stackId), request.logicalResourceId),
        },
        request.signal,
      );
    }
    const summary = await runSync(binding, deps, request.signal);
    if (summary.albIps.length === 0 && !binding.DryRun) {
      const lookalikes = summary.lookalikeEnis?.length ?? 0;
      throw new Error(
        `Found no network interface described ${JSON.stringify(binding.LoadBalancerArn.eniDescription)} that Elastic Load Balancing created${lookalikes > 0 ? ` (${lookalikes} with that description were created by someone else, and are never registered)` : ''}, so the target groups would stay empty; check that LoadBalancerArn is the ALB to front and that its network interfaces are in this account and region`,
      );
    }
    if (isNew && !binding.DryRun) failUnlessServed(summary);
    const written = writtenTargets(summary);
    return {
      summary,
      data: {
        AlbIpCount: summary.albIps.length,
        Registered: written.registered,
        Deregistered: written.deregistered,
      },
    };
  };

  /**
   * Gives up this resource's share of the groups; the last owner deregisters the ALB's IPs: those
   * given (the ones the sync of this request just found), or else those discovered now.
   */
  const release = async (
    binding: Binding,
    targetGroupArns: readonly string[],
    request: CustomResourceRequest,
    albIps?: readonly string[],
  ): Promise<void> => {
    const { signal } = request;
    if (binding.DryRun) {
      await deregisterLoadBalancerIps(binding, targetGroupArns, deps, signal, albIps);
      return;
    }
    const lastOwnerOf: string[] = [];
    for (const targetGroupArn of targetGroupArns) {
      const found = await releaseTargetGroup(deps.elbv2, targetGroupArn, request.owner, signal);
      if (found.gone) {
        deps.logger.info('Target group already gone', { targetGroupArn });
      } else if (found.others.length > 0) {
        deps.logger.info('Other owners rely on the target group, so its targets stay', {
          targetGroupArn,
          owners: found.others,
        });
      } else {
        lastOwnerOf.push(targetGroupArn);
      }
    }
    if (lastOwnerOf.length > 0) {
      await deregisterLoadBalancerIps(binding, lastOwnerOf, deps, signal, albIps);
    }
  };

  /**
   * A failed replacing Update answers with the id CloudFormation sent (custom-resource.ts), so no
   * Delete will ever come for the id it minted: the owner tags it put on the groups are taken off
   * here, before the answer, or they would keep the groups' targets at the last real owner's
   * Delete. The targets themselves are the rollback's: its Update syncs the old ALB again. Best
   * effort: the run's own error is the answer, and a signal aborted at the deadline stops this too.
   */
  const unclaim = async (
    targetGroupArns: readonly string[],
    request: CustomResourceRequest,
  ): Promise<void> => {
    for (const targetGroupArn of targetGroupArns) {
      try {
        await releaseTargetGroup(deps.elbv2, targetGroupArn, request.owner, request.signal);
      } catch (error) {
        deps.logger.warn('Could not take the failed replacement off the target group', {
          targetGroupArn,
          owner: request.owner,
          error,
        });
      }
    }
  };

  return {
    kind: 'target-group-sync',
    parse: parseBinding,
    identity: (binding) => binding.LoadBalancerArn.arn,
    create: async (binding, request) => (await syncForDeployment(binding, request, true)).data,
    async update(binding, old, request) {
      const inPlace = old !== undefined && old.LoadBalancerArn.arn === binding.LoadBalancerArn.arn;
      let synced: Awaited<ReturnType<typeof syncForDeployment>>;
      try {
        synced = await syncForDeployment(binding, request, !inPlace);
      } catch (error) {
        if (request.replacing && !binding.DryRun) await unclaim(binding.TargetGroupArns, request);
        throw error;
      }
      const { summary, data } = synced;
      if (old && inPlace) {
        const dropped = old.TargetGroupArns.filter((arn) => !binding.TargetGroupArns.includes(arn));
        // The same load balancer: the IPs the sync has just discovered are the ones to take out.
        if (dropped.length > 0) await release(binding, dropped, request, summary.albIps);
      }
      return data;
    },
    delete: (binding, request) => release(binding, binding.TargetGroupArns, request),
  };
}

/** How many IPs the error names; the rest are counted. */
const UNSERVED_IPS_SHOWN = 5;

/**
 * Throws when a group's load balancer serves none of the ALB's IPs, which are known to be at least
 * one (the check before this one fails otherwise). IPs outside the group's VPC are served from
 * every zone and never listed as outside, so a group lists all of the ALB's IPs only when each is
 * in its VPC and in a zone its load balancer has not enabled.
 */
function failUnlessServed(summary: SyncSummary): void {
  const unserved = summary.targetGroups.filter(
    (group) => group.outsideNlbZones?.length === summary.albIps.length,
  );
  if (unserved.length === 0) return;
  const problems = unserved.map(
    (group) =>
      `${group.targetGroupArn}: its load balancer has enabled ${(group.nlbZones ?? []).join(', ')}, and all ${summary.albIps.length} ALB IP(s) are elsewhere: ${boundList(group.outsideNlbZones ?? [], UNSERVED_IPS_SHOWN, ', ')}`,
  );
  throw new ZoneMismatchError(
    `TargetGroupArns: expected each group's load balancer to serve a zone of the ALB, so that it has a target to send traffic to; ${problems.join('; ')}. Enable one of the ALB's zones on the NLB (a subnet in it), or enable one of the NLB's zones on the ALB`,
  );
}
