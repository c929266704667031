import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { eniDescriptionFor, loadBalancerResourceId } from '../shared/arns.js';
import type {
  CustomResourceData,
  CustomResourceDefinition,
  CustomResourceRequest,
} from '../shared/custom-resource.js';
import { isAwsError } from '../shared/errors.js';
import { discoverLoadBalancerEnis } from '../shared/load-balancer-enis.js';
import { describeLoadBalancerOfType } from '../shared/load-balancers.js';
import type { CoreLogger } from '../shared/observability.js';
import {
  ingressRules,
  planRuleChanges,
  ruleDescription,
  sortedIps,
  stackNameOf,
} from './ingress-rules.js';
import { listenerPorts } from './listener-ports.js';
import { type NlbPrivateIpsProperties, parseNlbPrivateIpsProperties } from './properties.js';
import { authorizeIngress, readIngressRules, revokeIngress } from './security-group-rules.js';

export interface NlbPrivateIpsDependencies {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly logger: CoreLogger;
}

/**
 * nlb-private-ips: the NLB's own private IPs, for the ALB security group's ingress. Its attributes
 * are PrivateIps, Cidrs and IngressRules (the SecurityGroupIngress shape). With SecurityGroupId,
 * it manages those rules on the group itself instead, and returns PrivateIps and Cidrs only.
 *
 * The identity is the load balancer and the security group: changing either replaces the
 * resource. Changing the ports is an Update in place, which replaces the rules.
 */
export function nlbPrivateIpsResource(
  deps: () => NlbPrivateIpsDependencies,
): CustomResourceDefinition<NlbPrivateIpsProperties> {
  const apply = async (
    properties: NlbPrivateIpsProperties,
    request: CustomResourceRequest,
  ): Promise<CustomResourceData> => {
    const { ec2, elbv2, logger } = deps();
    const { LoadBalancerArn: loadBalancerArn, SecurityGroupId: groupId } = properties;
    await describeLoadBalancerOfType(elbv2, loadBalancerArn, 'network');
    const enis = await discoverLoadBalancerEnis(ec2, loadBalancerArn);
    if (enis.length === 0) {
      throw new Error(
        `Found no network interface described ${JSON.stringify(eniDescriptionFor(loadBalancerArn))}; expected one per Availability Zone of the Network Load Balancer`,
      );
    }
    const ips = sortedIps(enis.map(({ privateIp }) => privateIp));
    const ports = properties.Ports ?? (await listenerPorts(elbv2, loadBalancerArn));
    if (ports.length === 0) {
      throw new Error(
        `Ports: none given, and ${loadBalancerArn} has no listener; expected Ports, or a listener on the load balancer`,
      );
    }
    const cidrs = ips.map((ip) => `${ip}/32`);
    logger.info('Discovered NLB private IPs', { loadBalancerArn, privateIps: ips, ports });

    if (groupId === undefined) {
      const name = loadBalancerResourceId(loadBalancerArn).split('/')[1] ?? loadBalancerArn;
      const rules = ingressRules(ips, ports, `From NLB ${name} private IP (alb-static-ip)`);
      return { PrivateIps: ips, Cidrs: cidrs, IngressRules: rules };
    }

    const description = ruleDescription(request.physicalResourceId, stackNameOf(request.stackId));
    const wanted = ingressRules(ips, ports, description);
    const changes = planRuleChanges(wanted, await readIngressRules(ec2, groupId), description);
    // New rules first, then the old ones go: traffic from the NLB is never cut off in between.
    await authorizeIngress(ec2, groupId, changes.authorize);
    await revokeIngress(ec2, groupId, changes.revoke);
    logger.info('Security group ingress reconciled', {
      securityGroupId: groupId,
      authorized: changes.authorize.map((rule) => `${rule.CidrIp}:${rule.FromPort}`),
      revoked: changes.revoke,
    });
    return { PrivateIps: ips, Cidrs: cidrs };
  };

  return {
    kind: 'nlb-private-ips',
    parse: parseNlbPrivateIpsProperties,
    identity: (properties) => `${properties.LoadBalancerArn}|${properties.SecurityGroupId ?? ''}`,
    create: apply,
    update: (properties, _old, request) => apply(properties, request),
    async delete(properties, request) {
      const groupId = properties.SecurityGroupId;
      if (groupId === undefined) return;
      const { ec2, logger } = deps();
      const description = ruleDescription(request.physicalResourceId, stackNameOf(request.stackId));
      try {
        // Nothing is wanted any more: every rule of ours goes, and only those.
        const { revoke } = planRuleChanges([], await readIngressRules(ec2, groupId), description);
        await revokeIngress(ec2, groupId, revoke);
        logger.info('Security group ingress revoked', {
          securityGroupId: groupId,
          revoked: revoke,
        });
      } catch (error) {
        if (!isAwsError(error, 'InvalidGroup.NotFound')) throw error;
        logger.info('Security group already gone', { securityGroupId: groupId });
      }
    },
    dataTooLargeAdvice:
      'Set SecurityGroupId: the resource then authorizes the rules on that group itself and returns only PrivateIps and Cidrs.',
  };
}
