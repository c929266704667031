import { compareIps } from '../shared/ip-order.js';

/**
 * The ALB security group's ingress from the NLB, as a pure function of the NLB's private IPs and
 * ports: the `AWS::EC2::SecurityGroup` SecurityGroupIngress shape for templates, and the
 * difference between the rules wanted and the rules this resource already made.
 */

/** One rule, in the exact shape of AWS::EC2::SecurityGroup's SecurityGroupIngress. */
export interface IngressRule {
  readonly IpProtocol: 'tcp';
  readonly CidrIp: string;
  readonly FromPort: number;
  readonly ToPort: number;
  readonly Description: string;
}

/** A rule as DescribeSecurityGroupRules reports it. */
export interface ExistingRule {
  readonly ruleId: string;
  readonly cidr: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly protocol: string;
  readonly description?: string;
}

export interface RuleChanges {
  /** Rules to authorize: wanted, and not present in the group at all. */
  readonly authorize: readonly IngressRule[];
  /** Rule ids to revoke: made by this resource, and no longer wanted. */
  readonly revoke: readonly string[];
}

export const sortedIps = (ips: Iterable<string>): string[] => [...new Set(ips)].sort(compareIps);
export const sortedPorts = (ports: Iterable<number>): number[] =>
  [...new Set(ports)].sort((a, b) => a - b);

/** One rule per IP and port, ordered by port then address. */
export function ingressRules(
  ips: readonly string[],
  ports: readonly number[],
  description: string,
): IngressRule[] {
  return sortedPorts(ports).flatMap((port) =>
    sortedIps(ips).map((ip) => ({
      IpProtocol: 'tcp' as const,
      CidrIp: `${ip}/32`,
      FromPort: port,
      ToPort: port,
      Description: description,
    })),
  );
}

/**
 * What to change so the group holds exactly the wanted rules among those carrying our
 * description. A wanted rule that exists already, whoever made it, is left as it is; a rule
 * without our description is never revoked.
 */
export function planRuleChanges(
  wanted: readonly IngressRule[],
  existing: readonly ExistingRule[],
  ourDescription: string,
): RuleChanges {
  const key = (cidr: string, from: number, to: number) => `tcp ${cidr} ${from}-${to}`;
  const present = new Set(
    existing
      .filter((rule) => rule.protocol === 'tcp')
      .map((r) => key(r.cidr, r.fromPort, r.toPort)),
  );
  const wantedKeys = new Set(wanted.map((r) => key(r.CidrIp, r.FromPort, r.ToPort)));
  return {
    authorize: wanted.filter((rule) => !present.has(key(rule.CidrIp, rule.FromPort, rule.ToPort))),
    revoke: existing
      .filter(
        (rule) =>
          rule.description === ourDescription &&
          !(rule.protocol === 'tcp' && wantedKeys.has(key(rule.cidr, rule.fromPort, rule.toPort))),
      )
      .map((rule) => rule.ruleId),
  };
}

/**
 * The description on the rules this resource makes: it says who made them and names the
 * resource, so an Update finds its own rules and never anyone else's. Security group rule
 * descriptions allow letters, digits, spaces and `._-:/()#,@[]+=&;{}!$*`, up to 255 characters.
 */
export function ruleDescription(physicalResourceId: string, stackName: string): string {
  const text = `Made by alb-static-ip ${physicalResourceId} in stack ${stackName}`;
  return text.replace(/[^A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g, '_').slice(0, 255);
}

/** The stack name in a CloudFormation stack ARN (`arn:...:stack/NAME/GUID`). */
export function stackNameOf(stackId: string): string {
  return stackId.split(':stack/')[1]?.split('/')[0] ?? stackId;
}
