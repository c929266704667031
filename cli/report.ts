import type { LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { type ArnLocation, parseTargetGroupArn } from '../functions/shared/arns.js';
import type { RegisteredTarget } from '../functions/target-group-sync/plan.js';
import type { SyncSummary } from '../functions/target-group-sync/sync.js';

/**
 * What `alb-static-ip status` says about one bridge, a pure function of what it read. A bridge in
 * TargetMode ip: the sync's own dry run (what the next run would register and deregister, and the
 * zones), each group's targets with their health, and where the ALB is beside the groups. A bridge
 * in TargetMode alb: each group, the ALB registered in it and its health, and the ALB. And the exit
 * code of a whole report, so that a cron job or a CI step can act on it.
 */

/** The exit codes, most serious first: a report takes the most serious of its bridges'. */
export const EXIT = {
  ok: 0,
  /** Something could not be read or checked: the stack, a group, the ALB. */
  error: 1,
  /** The next sync would register or deregister targets: the groups differ from the ALB. */
  outOfSync: 2,
  /** In sync, but a target is not healthy, or an ALB IP is in a zone the NLB does not serve. */
  unhealthy: 3,
  /** The command line was not understood. */
  usage: 64,
} as const;

/**
 * Health states that mean a target takes no traffic it should: failing checks, unused (a zone the
 * NLB does not serve, or no listener), unavailable. `initial` (checks not passed yet) and
 * `draining` (a stale IP on its way out) are passing states.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 */
const UNHEALTHY_STATES: ReadonlySet<string> = new Set([
  'unhealthy',
  'unhealthy.draining',
  'unused',
  'unavailable',
]);

export interface GroupReport {
  readonly targetGroupArn: string;
  readonly targets: readonly { target: string; state: string; reason?: string }[];
  readonly toRegister: readonly string[];
  readonly toDeregister: readonly string[];
  readonly outsideNlbZones: readonly string[];
  readonly error?: string;
}

/** The report of a bridge in TargetMode ip: IP target groups that the sync keeps filled. */
export interface BridgeReport {
  readonly bridge: string;
  readonly targetMode: 'ip';
  readonly loadBalancerArn: string;
  readonly staticIps: readonly string[];
  readonly nlbPrivateIps: readonly string[];
  readonly albIps: readonly string[];
  /**
   * The interfaces with the ALB's description that Elastic Load Balancing did not create, as
   * `eni-id ip` (the dry run's `lookalikeEnis`); absent when there are none. Flagged, and never a
   * change of the verdict: the sync never registers them, so the groups are no less in sync.
   * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html
   */
  readonly lookalikeEnis?: readonly string[];
  /** Whether TargetMode alb would fit the bridge (status only): it never changes the verdict. */
  readonly placement?: AlbPlacement;
  readonly groups: readonly GroupReport[];
  /** `in sync`, `out of sync`, `unhealthy` or `error`: the exit code's reason, for people. */
  readonly verdict: 'in sync' | 'out of sync' | 'unhealthy' | 'error';
  readonly exitCode: number;
}

/** The report of a bridge in TargetMode alb: target groups of type alb, the ALB registered. */
export interface AlbBridgeReport {
  readonly bridge: string;
  readonly targetMode: 'alb';
  readonly loadBalancerArn: string;
  /** The ALB's VPC and state, as DescribeLoadBalancers said; absent when it was not read. */
  readonly albVpcId?: string;
  readonly albState?: string;
  readonly staticIps: readonly string[];
  readonly nlbPrivateIps: readonly string[];
  readonly groups: readonly AlbGroupReport[];
  /** Never out of sync: AWS keeps the ALB registered, and nothing runs. */
  readonly verdict: 'in sync' | 'unhealthy' | 'error';
  readonly exitCode: number;
}

export interface AlbGroupReport {
  readonly targetGroupArn: string;
  /** Each registered target, `ALB-ARN:port`, with its health. */
  readonly targets: readonly { target: string; state: string; reason?: string }[];
  readonly error?: string;
}

/** One bridge's report, in either mode. */
export type StatusReport = BridgeReport | AlbBridgeReport;

/** What the report says of a bridge besides what it read: its name and its IPs. */
interface BridgeIps {
  readonly name: string;
  readonly staticIps: readonly string[];
  readonly nlbPrivateIps: readonly string[];
}

/**
 * The report of one TargetMode ip bridge from its dry run and the health of each group's targets;
 * with the ALB's placement for `status`, none for `plan`.
 */
export function bridgeReport(
  bridge: BridgeIps,
  summary: SyncSummary,
  health: ReadonlyMap<string, readonly RegisteredTarget[] | Error>,
  placement: AlbPlacement | undefined,
): BridgeReport {
  const groups = summary.targetGroups.map((group): GroupReport => {
    const targets = health.get(group.targetGroupArn);
    const error = group.error ?? (targets instanceof Error ? targets.message : undefined);
    return {
      targetGroupArn: group.targetGroupArn,
      targets: targetsOf(targets),
      toRegister: group.registered,
      toDeregister: group.deregistered,
      outsideNlbZones: group.outsideNlbZones ?? [],
      ...(error === undefined ? {} : { error }),
    };
  });
  const verdict = verdictOf(groups);
  return {
    bridge: bridge.name,
    targetMode: 'ip',
    loadBalancerArn: summary.loadBalancerArn,
    staticIps: bridge.staticIps,
    nlbPrivateIps: bridge.nlbPrivateIps,
    albIps: summary.albIps,
    ...(summary.lookalikeEnis === undefined ? {} : { lookalikeEnis: summary.lookalikeEnis }),
    ...(placement === undefined ? {} : { placement }),
    groups,
    verdict,
    exitCode: EXIT_OF[verdict],
  };
}

const EXIT_OF = {
  'in sync': EXIT.ok,
  'out of sync': EXIT.outOfSync,
  unhealthy: EXIT.unhealthy,
  error: EXIT.error,
} as const;

const targetsOf = (
  targets: readonly RegisteredTarget[] | Error | undefined,
): GroupReport['targets'] =>
  targets === undefined || targets instanceof Error
    ? []
    : targets.map(({ id, port, state, reason }) => ({
        target: `${id}:${port}`,
        state: state ?? 'unknown',
        ...(reason ? { reason } : {}),
      }));

function verdictOf(groups: readonly GroupReport[]): BridgeReport['verdict'] {
  if (groups.some((group) => group.error !== undefined)) return 'error';
  if (groups.some((group) => group.toRegister.length > 0 || group.toDeregister.length > 0)) {
    return 'out of sync';
  }
  const unhealthy = groups.some(
    (group) =>
      group.outsideNlbZones.length > 0 ||
      group.targets.length === 0 ||
      group.targets.some(({ state }) => UNHEALTHY_STATES.has(state)),
  );
  return unhealthy ? 'unhealthy' : 'in sync';
}

/** The exit code of several bridges: the most serious (error, then out of sync, then unhealthy). */
export function exitCodeOf(reports: readonly Pick<BridgeReport, 'exitCode'>[]): number {
  for (const code of [EXIT.error, EXIT.outOfSync, EXIT.unhealthy]) {
    if (reports.some((report) => report.exitCode === code)) return code;
  }
  return EXIT.ok;
}

/**
 * AWS forwards to a target of type alb only when the ALB is in the NLB's VPC and account, behind a
 * TCP listener and a TCP target group; one ALB a group.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html
 */
const ALB_TARGET_RULE = "AWS forwards to an ALB target only in the NLB's VPC and account";

/** What `plan` says of a bridge in TargetMode alb, instead of a plan. */
export const NOTHING_TO_PLAN =
  'TargetMode alb: nothing to plan; AWS keeps the ALB registered in the target groups, and nothing runs';

/** A group as DescribeTargetGroups described it: what the checks of either mode read of it. */
export type DescribedGroup = Pick<TargetGroup, 'TargetType' | 'VpcId' | 'Protocol'>;

/** The ALB as DescribeLoadBalancers described it. */
export type DescribedAlb = Pick<LoadBalancer, 'VpcId' | 'State'>;

/** One group as `status` read it: its description, or why there is none. */
export interface GroupRead {
  readonly targetGroupArn: string;
  readonly described: DescribedGroup | Error;
}

/** One group of a TargetMode alb bridge as `status` read it: also its targets and their health. */
export interface AlbGroupRead extends GroupRead {
  readonly registered: readonly RegisteredTarget[] | Error;
}

/**
 * Whether some group is in another account than the ALB. Then the ALB is not read: the caller's
 * credentials are the groups' account's, and that alone rules TargetMode alb out.
 */
export function inAnotherAccount(
  loadBalancer: ArnLocation,
  targetGroupArns: readonly string[],
): boolean {
  return targetGroupArns.some((arn) => accountOf(arn) !== loadBalancer.account);
}

// Every ARN here passed the binding's schema or the stack's output check, so it parses.
const accountOf = (targetGroupArn: string): string | undefined =>
  // Stryker disable next-line OptionalChaining: as said above, never undefined
  parseTargetGroupArn(targetGroupArn)?.account;

/**
 * The report of one TargetMode alb bridge: each group must be of type alb, in the ALB's account
 * and VPC, with the stack's ALB registered and healthy. The ALB is a group's only target, so a
 * target in any state but `healthy` (`initial` and `draining` too) carries no new traffic.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 */
export function albBridgeReport(
  bridge: BridgeIps & { readonly loadBalancer: ArnLocation },
  alb: DescribedAlb | Error,
  reads: readonly AlbGroupRead[],
): AlbBridgeReport {
  const { loadBalancer } = bridge;
  const groups = reads.map(({ targetGroupArn, described, registered }): AlbGroupReport => {
    const error =
      albTargetGroupProblem(loadBalancer, targetGroupArn, described, alb) ??
      registeredProblem(loadBalancer, registered);
    return {
      targetGroupArn,
      targets: targetsOf(registered),
      ...(error === undefined ? {} : { error }),
    };
  });
  const verdict = albVerdictOf(groups);
  return {
    bridge: bridge.name,
    targetMode: 'alb',
    loadBalancerArn: loadBalancer.arn,
    ...(alb instanceof Error ? {} : { albVpcId: alb.VpcId, albState: alb.State?.Code }),
    staticIps: bridge.staticIps,
    nlbPrivateIps: bridge.nlbPrivateIps,
    groups,
    verdict,
    exitCode: EXIT_OF[verdict],
  };
}

function albVerdictOf(groups: readonly AlbGroupReport[]): AlbBridgeReport['verdict'] {
  if (groups.some((group) => group.error !== undefined)) return 'error';
  const unhealthy = groups.some(
    (group) => group.targets.length === 0 || group.targets.some(({ state }) => state !== 'healthy'),
  );
  return unhealthy ? 'unhealthy' : 'in sync';
}

/** Why the group cannot forward to the ALB, or undefined when it can. */
function albTargetGroupProblem(
  loadBalancer: ArnLocation,
  targetGroupArn: string,
  described: DescribedGroup | Error,
  alb: DescribedAlb | Error,
): string | undefined {
  if (described instanceof Error) return described.message;
  if (described.TargetType !== 'alb') {
    return `TargetGroupArns: ${targetGroupArn} has target type ${JSON.stringify(described.TargetType)}; expected "alb" in TargetMode alb`;
  }
  const account = accountOf(targetGroupArn);
  if (account !== loadBalancer.account) {
    return `the ALB is in account ${loadBalancer.account}, the target group in ${account}: ${ALB_TARGET_RULE}; use TargetMode ip`;
  }
  if (alb instanceof Error) return `AlbArn: ${loadBalancer.arn} could not be read: ${alb.message}`;
  if (alb.VpcId !== described.VpcId) {
    return `the ALB is in ${alb.VpcId}, the target group in ${described.VpcId}: ${ALB_TARGET_RULE}; use TargetMode ip`;
  }
  return undefined;
}

/** Why the group's targets are not the stack's ALB, or undefined when they are (or it has none). */
function registeredProblem(
  loadBalancer: ArnLocation,
  registered: readonly RegisteredTarget[] | Error,
): string | undefined {
  if (registered instanceof Error) return registered.message;
  const other = registered.find(({ id }) => id !== loadBalancer.arn);
  if (other === undefined) return undefined;
  return `registered: ${other.id}; expected the stack's ALB, ${loadBalancer.arn}`;
}

/** Where an ip bridge's ALB is beside its target groups, and so whether TargetMode alb would fit. */
export interface AlbPlacement {
  readonly albIs: 'in their VPC' | 'in another VPC' | 'in another account' | 'unknown';
  /** Whether TargetMode alb would work: the same VPC and account, and TCP groups only. */
  readonly albModeFits: boolean;
  readonly note: string;
}

/**
 * Where an ip bridge's ALB is beside its groups. TargetMode alb fits when the ALB is in their VPC
 * and account and every group is TCP: a TLS group ends TLS at the NLB, and a group of type alb
 * takes TCP only.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-target-group.html
 */
export function albPlacement(
  loadBalancer: ArnLocation,
  alb: DescribedAlb | Error,
  reads: readonly GroupRead[],
): AlbPlacement {
  const accounts = [...new Set(reads.map(({ targetGroupArn }) => accountOf(targetGroupArn)))];
  const others = accounts.filter((account) => account !== loadBalancer.account);
  if (others.length > 0) {
    return {
      albIs: 'in another account',
      albModeFits: false,
      note: `the ALB is in account ${loadBalancer.account}, the target groups in ${others.join(', ')}: ${ALB_TARGET_RULE}, so ip is the mode that works here`,
    };
  }
  if (alb instanceof Error) return unknownPlacement(alb);
  const described: { targetGroupArn: string; group: DescribedGroup }[] = [];
  for (const read of reads) {
    if (read.described instanceof Error) return unknownPlacement(read.described);
    described.push({ targetGroupArn: read.targetGroupArn, group: read.described });
  }
  const vpcs = [...new Set(described.map(({ group }) => group.VpcId))];
  const otherVpcs = vpcs.filter((vpc) => vpc !== alb.VpcId);
  if (otherVpcs.length > 0) {
    return {
      albIs: 'in another VPC',
      albModeFits: false,
      note: `the ALB is in ${alb.VpcId}, the target groups in ${otherVpcs.join(', ')}: ${ALB_TARGET_RULE}, so ip is the mode that works here`,
    };
  }
  const notTcp = described.find(({ group }) => group.Protocol !== 'TCP');
  if (notTcp !== undefined) {
    return {
      albIs: 'in their VPC',
      albModeFits: false,
      note: `the ALB is in the target groups' VPC (${alb.VpcId}) and account, but ${notTcp.targetGroupArn} is ${notTcp.group.Protocol}: a group of type alb takes TCP only, so TLS could not end at the NLB; ip is the mode that works here`,
    };
  }
  return {
    albIs: 'in their VPC',
    albModeFits: true,
    note: `the ALB is in the target groups' VPC (${alb.VpcId}) and account: TargetMode alb would fit: nothing would need to run`,
  };
}

const unknownPlacement = (error: Error): AlbPlacement => ({
  albIs: 'unknown',
  albModeFits: false,
  note: `not checked: ${error.message}`,
});
