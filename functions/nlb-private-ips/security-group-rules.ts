import {
  AuthorizeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
  ModifySecurityGroupRulesCommand,
  paginateDescribeSecurityGroupRules,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { callUnderSignal } from '../shared/deadline.js';
import { AwsCallError, isAwsError } from '../shared/errors.js';
import type { DescriptionChange, ExistingRule, IngressRule } from './ingress-rules.js';

/**
 * The security-group side of nlb-private-ips, one concern a function. Every call goes through
 * callUnderSignal: once the answer has gone to CloudFormation, nothing more is written.
 */

/** Every IPv4 ingress rule of the group, every page. */
export async function readIngressRules(
  ec2: EC2Client,
  groupId: string,
  signal: AbortSignal,
): Promise<ExistingRule[]> {
  const rules: ExistingRule[] = [];
  const read = async () => {
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
  };
  await callUnderSignal(signal, read, (cause) => {
    throw new AwsCallError(`DescribeSecurityGroupRules for ${groupId} failed`, { cause });
  });
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
  /** Authorizes a batch; false when AWS refused it for a duplicate, which is not an error. */
  const authorize = (batch: readonly IngressRule[], failure: string) =>
    callUnderSignal(
      signal,
      async () => {
        await ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: groupId,
            IpPermissions: batch.map(toPermission),
          }),
          { abortSignal: signal },
        );
        return true;
      },
      (cause) => {
        if (isAwsError(cause, 'InvalidPermission.Duplicate')) return false;
        throw new AwsCallError(`AuthorizeSecurityGroupIngress of ${failure} on ${groupId} failed`, {
          cause,
        });
      },
    );
  if (await authorize(rules, `${rules.length} rule(s)`)) return;
  for (const rule of rules) {
    await authorize([rule], `${rule.CidrIp} port ${rule.FromPort}`);
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
  /** Revokes a batch; false when AWS refused it for a rule already gone, which is not an error. */
  const revoke = (ids: readonly string[], failure: string) =>
    callUnderSignal(
      signal,
      async () => {
        await ec2.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: groupId,
            SecurityGroupRuleIds: [...ids],
          }),
          { abortSignal: signal },
        );
        return true;
      },
      (cause) => {
        if (isAwsError(cause, ...RULE_GONE)) return false;
        throw new AwsCallError(`RevokeSecurityGroupIngress of ${failure} on ${groupId} failed`, {
          cause,
        });
      },
    );
  if ((await revoke(ruleIds, `${ruleIds.length} rule(s)`)) || ruleIds.length === 1) return;
  for (const ruleId of ruleIds) {
    await revoke([ruleId], ruleId);
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
  const redescribe = () =>
    ec2.send(
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
  await callUnderSignal(signal, redescribe, (cause) => {
    throw new AwsCallError(
      `ModifySecurityGroupRules of ${changes.length} rule description(s) on ${groupId} failed`,
      { cause },
    );
  });
}

function toPermission(rule: IngressRule): IpPermission {
  return {
    IpProtocol: rule.IpProtocol,
    FromPort: rule.FromPort,
    ToPort: rule.ToPort,
    IpRanges: [{ CidrIp: rule.CidrIp, Description: rule.Description }],
  };
}
