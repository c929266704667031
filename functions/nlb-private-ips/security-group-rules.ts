import {
  AuthorizeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
  paginateDescribeSecurityGroupRules,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { AwsCallError, isAwsError } from '../shared/errors.js';
import type { ExistingRule, IngressRule } from './ingress-rules.js';

/** The security-group side of nlb-private-ips, one concern a function. */

/** Every IPv4 ingress rule of the group, every page. */
export async function readIngressRules(ec2: EC2Client, groupId: string): Promise<ExistingRule[]> {
  const rules: ExistingRule[] = [];
  try {
    const pages = paginateDescribeSecurityGroupRules(
      { client: ec2, pageSize: 1000 },
      { Filters: [{ Name: 'group-id', Values: [groupId] }] },
    );
    for await (const page of pages) {
      // Stryker disable next-line ArrayDeclaration: a made-up element has no CidrIpv4, so it is skipped like an empty page
      for (const rule of page.SecurityGroupRules ?? []) {
        if (rule.IsEgress || !rule.CidrIpv4 || !rule.SecurityGroupRuleId) continue;
        rules.push({
          ruleId: rule.SecurityGroupRuleId,
          cidr: rule.CidrIpv4,
          fromPort: rule.FromPort ?? -1,
          toPort: rule.ToPort ?? -1,
          protocol: rule.IpProtocol ?? '',
          ...(rule.Description === undefined ? {} : { description: rule.Description }),
        });
      }
    }
  } catch (cause) {
    throw new AwsCallError(`DescribeSecurityGroupRules for ${groupId} failed`, { cause });
  }
  return rules;
}

/**
 * Authorizes the rules. A rule that already exists is not an error: the batch is retried one rule
 * at a time, skipping duplicates, because AWS refuses a whole batch for one duplicate.
 */
export async function authorizeIngress(
  ec2: EC2Client,
  groupId: string,
  rules: readonly IngressRule[],
): Promise<void> {
  if (rules.length === 0) return;
  const send = (batch: readonly IngressRule[]) =>
    ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: batch.map(toPermission),
      }),
    );
  try {
    await send(rules);
    return;
  } catch (cause) {
    if (!isAwsError(cause, 'InvalidPermission.Duplicate')) {
      throw new AwsCallError(
        `AuthorizeSecurityGroupIngress of ${rules.length} rule(s) on ${groupId} failed`,
        {
          cause,
        },
      );
    }
  }
  for (const rule of rules) {
    try {
      await send([rule]);
    } catch (cause) {
      if (isAwsError(cause, 'InvalidPermission.Duplicate')) continue;
      throw new AwsCallError(
        `AuthorizeSecurityGroupIngress of ${rule.CidrIp} port ${rule.FromPort} on ${groupId} failed`,
        { cause },
      );
    }
  }
}

const RULE_GONE = ['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound'];

/**
 * Revokes rules by id; a rule already gone is not an error. EC2 refuses a whole batch when one of
 * its ids is unknown, and then revokes none of the others ("an InvalidPermission.NotFound client
 * error is returned, and no rules are revoked":
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html), so
 * such a batch is sent again one rule at a time, skipping the rules that are gone.
 */
export async function revokeIngress(
  ec2: EC2Client,
  groupId: string,
  ruleIds: readonly string[],
): Promise<void> {
  if (ruleIds.length === 0) return;
  const send = (ids: readonly string[]) =>
    ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [...ids] }),
    );
  try {
    await send(ruleIds);
    return;
  } catch (cause) {
    if (!isAwsError(cause, ...RULE_GONE)) {
      throw new AwsCallError(
        `RevokeSecurityGroupIngress of ${ruleIds.length} rule(s) on ${groupId} failed`,
        { cause },
      );
    }
  }
  if (ruleIds.length === 1) return;
  for (const ruleId of ruleIds) {
    try {
      await send([ruleId]);
    } catch (cause) {
      if (isAwsError(cause, ...RULE_GONE)) continue;
      throw new AwsCallError(`RevokeSecurityGroupIngress of ${ruleId} on ${groupId} failed`, {
        cause,
      });
    }
  }
}

function toPermission(rule: IngressRule): IpPermission {
  return {
    IpProtocol: rule.IpProtocol,
    FromPort: rule.FromPort,
    ToPort: rule.ToPort,
    IpRanges: [{ CidrIp: rule.CidrIp, Description: rule.Description }],
  };
}
