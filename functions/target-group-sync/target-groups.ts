import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetDescription,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { callUnderSignal } from '../shared/deadline.js';
import { AwsCallError, isAwsError, messageOf, TargetGroupMismatchError } from '../shared/errors.js';
import {
  isRegistered,
  type RegisteredTarget,
  type Target,
  type TargetGroupFacts,
  targetKey,
  type WriteStep,
} from './plan.js';

/**
 * The target-group side of the sync, one AWS call a function. Errors say which call failed and for
 * which target group.
 */

/** A target group as the sync reads it: what the plan needs, and what the group is attached to. */
export interface DescribedTargetGroup extends TargetGroupFacts {
  /** The load balancers whose listeners forward to the group: none yet for an adopted group. */
  readonly loadBalancerArns: readonly string[];
}

/**
 * Describes every group in one DescribeTargetGroups call and checks that each can hold the ALB's
 * IPv4 addresses: one promise per ARN, in the order given, each rejecting with its own group's
 * reason (see describeTargetGroups).
 */
export function describeIpTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArns: readonly string[],
  signal: AbortSignal,
): Promise<DescribedTargetGroup>[] {
  return describeTargetGroups(elbv2, targetGroupArns, signal).map((described, index) =>
    described.then((group) => ipTargetGroup(targetGroupArns[index] as string, group)),
  );
}

/**
 * Describes every group in one DescribeTargetGroups call: one promise per ARN, in the order given,
 * each rejecting with its own group's reason. The call fails whole when one ARN names no group
 * (TargetGroupNotFound); only then is each group described on its own, so that one missing group
 * does not stop the others. At most 50 ARNs (the binding's limit) fit in one page, which holds up
 * to 400 groups.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html
 */
export function describeTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArns: readonly string[],
  signal: AbortSignal,
): Promise<TargetGroup>[] {
  const all = sendDescribe(elbv2, targetGroupArns, signal);
  return targetGroupArns.map(async (targetGroupArn) => {
    let groups: ReadonlyMap<string, TargetGroup>;
    try {
      groups = await all;
    } catch (cause) {
      if (targetGroupArns.length === 1 || !isAwsError(cause, 'TargetGroupNotFoundException')) {
        throw describeError(targetGroupArn, cause, signal);
      }
      try {
        groups = await sendDescribe(elbv2, [targetGroupArn], signal);
      } catch (ownCause) {
        throw describeError(targetGroupArn, ownCause, signal);
      }
    }
    const group = groups.get(targetGroupArn);
    if (!group) {
      throw new TargetGroupMismatchError(
        `TargetGroupArns: got ${JSON.stringify(targetGroupArn)}; expected an existing target group, and DescribeTargetGroups returned none`,
      );
    }
    return group;
  });
}

/** The groups a DescribeTargetGroups call returned, by ARN: the answer's order is not the ARNs'. */
async function sendDescribe(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArns: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, TargetGroup>> {
  signal.throwIfAborted();
  const response = await elbv2.send(
    new DescribeTargetGroupsCommand({ TargetGroupArns: [...targetGroupArns] }),
    { abortSignal: signal },
  );
  return new Map(
    // A made-up entry names no group and is skipped, so the empty default is one of many.
    // Stryker disable next-line ArrayDeclaration: as said above
    (response.TargetGroups ?? []).flatMap((group) =>
      group.TargetGroupArn ? [[group.TargetGroupArn, group]] : [],
    ),
  );
}

/** Why one group could not be described. */
function describeError(targetGroupArn: string, cause: unknown, signal: AbortSignal): Error {
  // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
  if (signal.aborted) return signal.reason;
  if (isAwsError(cause, 'TargetGroupNotFoundException')) {
    return new TargetGroupMismatchError(
      `TargetGroupArns: got ${JSON.stringify(targetGroupArn)}; expected an existing target group, and none was found`,
      { cause },
    );
  }
  return new AwsCallError(`DescribeTargetGroups for ${targetGroupArn} failed`, { cause });
}

/** The group as the sync reads it, once it is known to hold the ALB's IPv4 addresses. */
function ipTargetGroup(targetGroupArn: string, group: TargetGroup): DescribedTargetGroup {
  if (group.TargetType !== 'ip') {
    throw new TargetGroupMismatchError(
      `TargetGroupArns: ${targetGroupArn} has target type ${JSON.stringify(group.TargetType)}; expected "ip"`,
    );
  }
  if (group.IpAddressType === 'ipv6') {
    throw new TargetGroupMismatchError(
      `TargetGroupArns: ${targetGroupArn} has IP address type "ipv6"; expected "ipv4", the family of the load balancer's private IPs`,
    );
  }
  if (group.Port === undefined || group.VpcId === undefined) {
    throw new TargetGroupMismatchError(
      `TargetGroupArns: ${targetGroupArn} reports no port or VPC; expected both for an "ip" target group`,
    );
  }
  return {
    targetGroupArn,
    port: group.Port,
    vpcId: group.VpcId,
    loadBalancerArns: group.LoadBalancerArns ?? [],
  };
}

/** Every target of the group (DescribeTargetHealth is not paginated: it returns them all). */
export async function readRegisteredTargets(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  signal: AbortSignal,
): Promise<RegisteredTarget[]> {
  const response = await callUnderSignal(
    signal,
    () =>
      elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), {
        abortSignal: signal,
      }),
    (cause) => {
      throw new AwsCallError(`DescribeTargetHealth for ${targetGroupArn} failed`, { cause });
    },
  );
  // A made-up entry has no target id and is skipped, so the empty default is one of many.
  // Stryker disable next-line ArrayDeclaration: as said above
  return (response.TargetHealthDescriptions ?? []).flatMap(({ Target: target, TargetHealth }) => {
    if (!target?.Id) return [];
    return [
      {
        id: target.Id,
        port: target.Port ?? 0,
        ...(target.AvailabilityZone ? { availabilityZone: target.AvailabilityZone } : {}),
        ...(TargetHealth?.State ? { state: TargetHealth.State } : {}),
        ...(TargetHealth?.Reason ? { reason: TargetHealth.Reason } : {}),
      },
    ];
  });
}

/**
 * Sends one write step: RegisterTargets or DeregisterTargets with the step's targets. Nothing is
 * sent once the signal is aborted: the answer has gone, and the run must write nothing more.
 *
 * A DeregisterTargets that fails with InvalidTarget is done if none of its targets is registered
 * any more. AWS answers a deregistration of a target that is not registered with success ("If the
 * specified target does not exist, the action returns successfully":
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeregisterTargets.html),
 * yet lists InvalidTarget among its errors, and emulators raise it. The SDK retries a call whose
 * answer was lost (a dropped connection, a 5xx after the write), so a deregistration AWS applied can
 * be sent again and meet its targets gone: the group is re-read before the step is failed.
 */
export async function writeTargets(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  step: WriteStep,
  signal: AbortSignal,
): Promise<void> {
  const input = { TargetGroupArn: targetGroupArn, Targets: step.targets.map(toDescription) };
  const call = step.action === 'register' ? 'RegisterTargets' : 'DeregisterTargets';
  const failed = (cause: unknown): never => {
    throw new AwsCallError(
      `${call} of ${step.targets.length} target(s) in ${targetGroupArn} failed`,
      {
        cause,
      },
    );
  };
  const invalid = await callUnderSignal(
    signal,
    async (): Promise<unknown> => {
      await elbv2.send(
        step.action === 'register'
          ? new RegisterTargetsCommand(input)
          : new DeregisterTargetsCommand(input),
        { abortSignal: signal },
      );
      return undefined;
    },
    (cause) =>
      step.action === 'deregister' && isAwsError(cause, 'InvalidTarget', 'InvalidTargetException')
        ? cause
        : failed(cause),
  );
  if (invalid === undefined) return;
  let registered: RegisteredTarget[];
  try {
    registered = await readRegisteredTargets(elbv2, targetGroupArn, signal);
  } catch (error) {
    // Stopped by the deadline: its reason. Otherwise both failures, the deregistration's first.
    if (signal.aborted) throw error;
    throw new AwsCallError(
      `${call} of ${step.targets.length} target(s) in ${targetGroupArn} failed, and the group could not be read again to see whether they were gone already (${messageOf(error)})`,
      { cause: invalid },
    );
  }
  const still = new Set(registered.filter(isRegistered).map(targetKey));
  if (step.targets.some((target) => still.has(targetKey(target)))) failed(invalid);
}

function toDescription(target: Target): TargetDescription {
  return {
    Id: target.id,
    Port: target.port,
    ...(target.availabilityZone ? { AvailabilityZone: target.availabilityZone } : {}),
  };
}
