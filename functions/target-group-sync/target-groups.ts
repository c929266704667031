import {
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  type DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsCallError, isAwsError, TargetGroupMismatchError } from '../shared/errors.js';
import type { RegisteredTarget, Target, TargetGroupFacts, WriteStep } from './plan.js';

/**
 * The target-group side of the sync, one AWS call a function. Errors say which call failed and for
 * which target group.
 */

/** A target group as the sync reads it: what the plan needs, and what the group is attached to. */
export interface DescribedTargetGroup extends TargetGroupFacts {
  /** The load balancers whose listeners forward to the group: none yet for an adopted group. */
  readonly loadBalancerArns: readonly string[];
}

/** Describes a target group and checks that it can hold the ALB's IPv4 addresses. */
export async function describeIpTargetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  signal: AbortSignal,
): Promise<DescribedTargetGroup> {
  let response: DescribeTargetGroupsCommandOutput;
  signal.throwIfAborted();
  try {
    response = await elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }),
      { abortSignal: signal },
    );
  } catch (cause) {
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
    if (isAwsError(cause, 'TargetGroupNotFoundException')) {
      throw new TargetGroupMismatchError(
        `TargetGroupArns: got ${JSON.stringify(targetGroupArn)}; expected an existing target group, and none was found`,
        { cause },
      );
    }
    throw new AwsCallError(`DescribeTargetGroups for ${targetGroupArn} failed`, { cause });
  }
  const group = response.TargetGroups?.[0];
  if (!group) {
    throw new TargetGroupMismatchError(
      `TargetGroupArns: got ${JSON.stringify(targetGroupArn)}; expected an existing target group, and DescribeTargetGroups returned none`,
    );
  }
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
  signal.throwIfAborted();
  try {
    const response = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      { abortSignal: signal },
    );
    return (response.TargetHealthDescriptions ?? []).flatMap(({ Target: target, TargetHealth }) => {
      if (!target?.Id) return [];
      return [
        {
          id: target.Id,
          port: target.Port ?? 0,
          ...(target.AvailabilityZone ? { availabilityZone: target.AvailabilityZone } : {}),
          ...(TargetHealth?.State ? { state: TargetHealth.State } : {}),
        },
      ];
    });
  } catch (cause) {
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
    throw new AwsCallError(`DescribeTargetHealth for ${targetGroupArn} failed`, { cause });
  }
}

/**
 * Sends one write step: RegisterTargets or DeregisterTargets with the step's targets. Nothing is
 * sent once the signal is aborted: the answer has gone, and the run must write nothing more.
 */
export async function writeTargets(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  step: WriteStep,
  signal: AbortSignal,
): Promise<void> {
  signal.throwIfAborted();
  const input = { TargetGroupArn: targetGroupArn, Targets: step.targets.map(toDescription) };
  try {
    await elbv2.send(
      step.action === 'register'
        ? new RegisterTargetsCommand(input)
        : new DeregisterTargetsCommand(input),
      { abortSignal: signal },
    );
  } catch (cause) {
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
    const call = step.action === 'register' ? 'RegisterTargets' : 'DeregisterTargets';
    throw new AwsCallError(
      `${call} of ${step.targets.length} target(s) in ${targetGroupArn} failed`,
      { cause },
    );
  }
}

function toDescription(target: Target): TargetDescription {
  return {
    Id: target.id,
    Port: target.port,
    ...(target.availabilityZone ? { AvailabilityZone: target.availabilityZone } : {}),
  };
}
