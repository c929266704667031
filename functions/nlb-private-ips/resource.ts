import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CustomResourceDefinition, CustomResourceRequest } from '../shared/custom-resource.js';
import type { CustomResourceData } from '../shared/custom-resource-response.js';
import { isAwsError } from '../shared/errors.js';
import {
  discoverLoadBalancerEnis,
  LOOKALIKES_WARNING,
  lookalikesLogged,
} from '../shared/load-balancer-enis.js';
import { describeLoadBalancerOfType } from '../shared/load-balancers.js';
import type { CoreLogger } from '../shared/observability.js';
import { ingressRules, planRuleChanges, type RuleChanges, sortedIps } from './ingress-rules.js';
import { listenerPorts } from './listener-ports.js';
import { type NlbPrivateIpsProperties, parseNlbPrivateIpsProperties } from './properties.js';
import {
  authorizeIngress,
  readIngressRules,
  redescribeIngress,
  revokeIngress,
} from './security-group-rules.js';

export interface NlbPrivateIpsDependencies {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly logger: CoreLogger;
}

/**
 * nlb-private-ips: the NLB's own private IPs, for the ALB security group's ingress. Its attributes
 * are PrivateIps, Cidrs and IngressRules (the SecurityGroupIngress shape). With SecurityGroupId,
 * it manages those rules on the group itself instead, sharing each rule with any other resource
 * that needs it (see ingress-rules.ts), and returns PrivateIps and Cidrs only; so it does with
 * ReturnIngressRules false, for a stack that writes its own rules from Cidrs.
 *
 * The identity is the load balancer and the security group: changing either replaces the
 * resource. Changing the ports is an Update in place, which replaces the rules.
 */
export function nlbPrivateIpsResource(
  deps: () => NlbPrivateIpsDependencies,
): CustomResourceDefinition<NlbPrivateIpsProperties> {
  /** Writes the changes: new rules first, then owners, then revokes, so no traffic is cut off. */
  const write = async (
    groupId: string,
    changes: RuleChanges,
    signal: AbortSignal,
  ): Promise<void> => {
    const { ec2, logger } = deps();
    await authorizeIngress(ec2, groupId, changes.authorize, signal);
    await redescribeIngress(ec2, groupId, changes.redescribe, signal);
    await revokeIngress(ec2, groupId, changes.revoke, signal);
    logger.info('Security group ingress reconciled', {
      securityGroupId: groupId,
      authorized: changes.authorize.map((rule) => `${rule.CidrIp}:${rule.FromPort}`),
      shared: changes.redescribe.map(({ rule, description }) => ({
        ruleId: rule.ruleId,
        description,
      })),
      revoked: changes.revoke,
    });
  };

  /**
   * Nothing is wanted any more: this resource leaves every rule it shares, and revokes those it was
   * the last to need. A group already gone is left.
   */
  const leave = async (groupId: string, request: CustomResourceRequest): Promise<void> => {
    const { ec2, logger } = deps();
    try {
      const existing = await readIngressRules(ec2, groupId, request.signal);
      await write(groupId, planRuleChanges([], existing, request.owner), request.signal);
    } catch (error) {
      if (!isAwsError(error, 'InvalidGroup.NotFound')) throw error;
      logger.info('Security group already gone', { securityGroupId: groupId });
    }
  };

  const apply = async (
    properties: NlbPrivateIpsProperties,
    request: CustomResourceRequest,
  ): Promise<CustomResourceData> => {
    const { ec2, elbv2, logger } = deps();
    const { signal } = request;
    const { LoadBalancerArn: loadBalancer, SecurityGroupId: groupId } = properties;
    const loadBalancerArn = loadBalancer.arn;
    await describeLoadBalancerOfType(elbv2, loadBalancerArn, 'network', signal);
    const { enis, lookalikes } = await discoverLoadBalancerEnis(ec2, loadBalancer, signal);
    if (lookalikes.length > 0) {
      // Never admitted to the ALB: anyone may give an interface this description.
      logger.warn(LOOKALIKES_WARNING, { loadBalancerArn, ...lookalikesLogged(lookalikes) });
    }
    if (enis.length === 0) {
      throw new Error(
        `Found no network interface described ${JSON.stringify(loadBalancer.eniDescription)} that Elastic Load Balancing created; expected one per Availability Zone of the Network Load Balancer`,
      );
    }
    // Every private address of each interface: an NLB with secondary IPv4 addresses per subnet
    // (its secondary_ips.auto_assigned.per_subnet attribute) sends to its targets from those too.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-load-balancer-attributes.html#secondary-ips
    const ips = sortedIps(enis.flatMap((eni) => [eni.privateIp, ...(eni.secondaryIps ?? [])]));
    const cidrs = ips.map((ip) => `${ip}/32`);
    if (groupId === undefined && !properties.ReturnIngressRules) {
      logger.info('Discovered NLB private IPs', { loadBalancerArn, privateIps: ips });
      return { PrivateIps: ips, Cidrs: cidrs };
    }
    const ports = properties.Ports ?? (await listenerPorts(elbv2, loadBalancerArn, signal));
    if (ports.length === 0) {
      throw new Error(
        `Ports: none given, and ${loadBalancerArn} has no listener; expected Ports, or a listener on the load balancer`,
      );
    }
    logger.info('Discovered NLB private IPs', { loadBalancerArn, privateIps: ips, ports });

    if (groupId === undefined) {
      const rules = ingressRules(
        ips,
        ports,
        `From NLB ${loadBalancer.name} private IP (alb-static-ip)`,
      );
      return { PrivateIps: ips, Cidrs: cidrs, IngressRules: rules };
    }

    const wanted = ingressRules(ips, ports, '');
    const existing = await readIngressRules(ec2, groupId, signal);
    await write(groupId, planRuleChanges(wanted, existing, request.owner), signal);
    return { PrivateIps: ips, Cidrs: cidrs };
  };

  return {
    kind: 'nlb-private-ips',
    parse: parseNlbPrivateIpsProperties,
    identity: (properties) =>
      `${properties.LoadBalancerArn.arn}|${properties.SecurityGroupId ?? ''}`,
    create: apply,
    async update(properties, _old, request) {
      try {
        return await apply(properties, request);
      } catch (error) {
        // A failed replacement answers with the id it was sent, so no Delete will come for the id
        // it minted: the rules it wrote as that owner are taken back here, before the answer
        // (CustomResourceRequest.replacing). Best effort: the run's own error is the answer.
        const groupId = properties.SecurityGroupId;
        if (request.replacing && groupId !== undefined) {
          await leave(groupId, request).catch((cause: unknown) => {
            deps().logger.warn('Could not take back the failed replacement’s rules', {
              securityGroupId: groupId,
              owner: request.owner,
              error: cause,
            });
          });
        }
        throw error;
      }
    },
    async delete(properties, request) {
      const groupId = properties.SecurityGroupId;
      if (groupId === undefined) return;
      await leave(groupId, request);
    },
    dataTooLargeAdvice:
      'Set SecurityGroupId: the resource then authorizes the rules on that group itself and returns only PrivateIps and Cidrs. Or set ReturnIngressRules to false and make the rules from Cidrs.',
  };
}
