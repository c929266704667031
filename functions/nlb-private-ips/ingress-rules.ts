import { compareIps } from '../shared/ip-order.js';

/**
 * The ALB security group's ingress from the NLB, as a pure function of the NLB's private IPs and
 * ports: the `AWS::EC2::SecurityGroup` SecurityGroupIngress shape for templates, and the changes
 * that make a group hold exactly the rules one resource needs, shared fairly with the others.
 *
 * Ownership lives in the rule's description. A rule this project made says which resources rely on
 * it: `alb-static-ip owners 4b3a29180f7e6d5c 0d1e2f3a4b5c6d7e`, each owner being the last 16 hex
 * digits of a resource's physical id. A resource that needs a rule another one made adds itself to
 * the description (descriptions can be changed in place); a resource that no longer needs a rule
 * removes itself, and revokes the rule only when it was the last owner. A rule whose description is
 * not of this form belongs to someone else: it is never changed or revoked, and when it admits what
 * a resource needs, the resource relies on it as it is.
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

/** A rule whose owners change: it stays, with this description. */
export interface DescriptionChange {
  readonly rule: ExistingRule;
  readonly description: string;
}

export interface RuleChanges {
  /** Rules to authorize: wanted, and not present in the group at all. */
  readonly authorize: readonly IngressRule[];
  /** Rules whose owners change: this resource joins or leaves, others remain. */
  readonly redescribe: readonly DescriptionChange[];
  /** Rule ids to revoke: this resource was their last owner, and no longer needs them. */
  readonly revoke: readonly string[];
}

/** Security group rule descriptions hold at most 255 characters. */
const MAX_DESCRIPTION = 255;
const OWNERS_PREFIX = 'alb-static-ip owners';
/** How many owners fit: each is a space and 16 hex digits after the prefix. */
const MAX_OWNERS = Math.floor((MAX_DESCRIPTION - OWNERS_PREFIX.length) / 17);
const OWNERS = /^alb-static-ip owners((?: [0-9a-f]{16})+)$/;
/** The description an earlier version wrote for a rule with one owner. */
const SINGLE_OWNER = /^Made by alb-static-ip [a-z-]+\/[^/]+\/([0-9a-f]{16}) in stack \S+$/;

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

/** The owners a rule's description names, or undefined for a rule this project did not make. */
export function ownersOf(description: string | undefined): string[] | undefined {
  // Stryker disable next-line ConditionalExpression: exec reads undefined as the text "undefined", which names no owner either
  if (description === undefined) return undefined;
  const owners = OWNERS.exec(description)?.[1];
  if (owners !== undefined) return owners.trim().split(' ');
  const single = SINGLE_OWNER.exec(description)?.[1];
  return single === undefined ? undefined : [single];
}

/** The description naming these owners, each once, in order. */
export function ownersDescription(owners: readonly string[]): string {
  const unique = [...new Set(owners)].sort();
  if (unique.length > MAX_OWNERS) {
    throw new RangeError(
      `A security group rule can name at most ${MAX_OWNERS} owners in its description; ${unique.length} resources need the same rule`,
    );
  }
  return [OWNERS_PREFIX, ...unique].join(' ');
}

const keyOf = (cidr: string, from: number, to: number) => `${cidr} ${from}-${to}`;

/**
 * What to change so that `owner` holds a share of exactly the wanted rules. A wanted rule that
 * exists already is joined when this project made it, and relied on as it is when someone else
 * did; a rule `owner` holds and no longer wants is left to its other owners, or revoked when there
 * are none. Only TCP rules count as the wanted ones: a UDP rule on the same address and port admits
 * nothing the NLB sends.
 */
export function planRuleChanges(
  wanted: readonly IngressRule[],
  existing: readonly ExistingRule[],
  owner: string,
): RuleChanges {
  const tcp = existing.filter((rule) => rule.protocol === 'tcp');
  const present = new Map<string, ExistingRule[]>();
  for (const rule of tcp) {
    const key = keyOf(rule.cidr, rule.fromPort, rule.toPort);
    const same = present.get(key);
    if (same === undefined) present.set(key, [rule]);
    else same.push(rule);
  }
  const authorize: IngressRule[] = [];
  const redescribe: DescriptionChange[] = [];
  const wantedKeys = new Set<string>();
  for (const rule of wanted) {
    const key = keyOf(rule.CidrIp, rule.FromPort, rule.ToPort);
    wantedKeys.add(key);
    const matches = present.get(key) ?? [];
    if (matches.some((match) => ownersOf(match.description)?.includes(owner))) continue;
    const shared = firstShared(matches);
    if (shared !== undefined) {
      redescribe.push({
        rule: shared.rule,
        description: ownersDescription([...shared.owners, owner]),
      });
    } else if (matches.length === 0) {
      authorize.push({ ...rule, Description: ownersDescription([owner]) });
    }
  }
  const revoke: string[] = [];
  for (const rule of existing) {
    const owners = ownersOf(rule.description);
    if (owners === undefined || !owners.includes(owner)) continue;
    const stillWanted =
      rule.protocol === 'tcp' && wantedKeys.has(keyOf(rule.cidr, rule.fromPort, rule.toPort));
    if (stillWanted) continue;
    const others = owners.filter((other) => other !== owner);
    if (others.length === 0) revoke.push(rule.ruleId);
    else redescribe.push({ rule, description: ownersDescription(others) });
  }
  return { authorize, redescribe, revoke };
}

/** The first of these rules that this project made, with its owners. */
function firstShared(
  rules: readonly ExistingRule[],
): { rule: ExistingRule; owners: string[] } | undefined {
  for (const rule of rules) {
    const owners = ownersOf(rule.description);
    if (owners !== undefined) return { rule, owners };
  }
  return undefined;
}
