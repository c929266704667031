import {
  AuthorizeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
  ModifySecurityGroupRulesCommand,
  paginateDescribeSecurityGroupRules,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { AwsCallError, isAwsError } from '../shared/errors.js';
import type { DescriptionChange, ExistingRule, IngressRule } from './ingress-rules.js';

/**
 * The security-group side of nlb-private-ips, one concern a function. Every write checks the signal
 * first and passes it on: once the answer has gone to CloudFormation, nothing more is written.
 */

/** Every IPv4 ingress rule of the group, every page. */
export async function readIngressRules(
  ec2: EC2Client,
  groupId: string,
  signal: AbortSignal,
): Promise<ExistingRule[]> {
  const rules: ExistingRule[] = [];
  signal.throwIfAborted();
  try {
    const pages = paginateDescribeSecurityGroupRules(
      { client: ec2, pageSize: 1000 },
      { Filters: [{ Name: 'group-id', Values: [groupId] }] },
      { abortSignal: signal },
    );
    for await (const page of pages) {
      signal.throwIfAborted();
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
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
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
  signal: AbortSignal,
): Promise<void> {
  if (rules.length === 0) return;
  const send = (batch: readonly IngressRule[]) => {
    signal.throwIfAborted();
    return ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: batch.map(toPermission),
      }),
      { abortSignal: signal },
    );
  };
  try {
    await send(rules);
    return;
  } catch (cause) {
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
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
      // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
      signal.throwIfAborted();
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
  signal: AbortSignal,
): Promise<void> {
  if (ruleIds.length === 0) return;
  const send = (ids: readonly string[]) => {
    signal.throwIfAborted();
    return ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [...ids] }),
      { abortSignal: signal },
    );
  };
  try {
    await send(ruleIds);
    return;
  } catch (cause) {
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
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
      // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
      signal.throwIfAborted();
      if (isAwsError(cause, ...RULE_GONE)) continue;
      throw new AwsCallError(`RevokeSecurityGroupIngress of ${ruleId} on ${groupId} failed`, {
        cause,
      });
    }
  }
}

/**
 * Gives rules new descriptions, keeping everything else about them: ModifySecurityGroupRules
 * replaces a rule by id with the rule it is given.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html
 */
export async function redescribeIngress(
  ec2: EC2Client,
  groupId: string,
  changes: readonly DescriptionChange[],
  signal: AbortSignal,
): Promise<void> {
  if (changes.length === 0) return;
  signal.throwIfAborted();
  try {
    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: groupId,
        SecurityGroupRules: changes.map(({ rule, description }) => ({
          SecurityGroupRuleId: rule.ruleId,
          SecurityGroupRule: {
            IpProtocol: rule.protocol,
            FromPort: rule.fromPort,
            ToPort: rule.toPort,
            CidrIpv4: rule.cidr,
            Description: description,
          },
        })),
      }),
      { abortSignal: signal },
    );
  } catch (cause) {
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
    throw new AwsCallError(
      `ModifySecurityGroupRules of ${changes.length} rule description(s) on ${groupId} failed`,
      { cause },
    );
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
