import {
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type LoadBalancerTypeEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsCallError, isAwsError, LoadBalancerMismatchError } from './errors.js';

const TYPE_NAMES: Record<string, string> = {
  application: 'an Application Load Balancer',
  network: 'a Network Load Balancer',
  gateway: 'a Gateway Load Balancer',
};

/**
 * Describes one load balancer and checks its type with the API, not the ARN: the ARN's `app/` or
 * `net/` is a naming convention that emulators (and hand-written ARNs) do not always keep.
 */
export async function describeLoadBalancerOfType(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  expectedType: LoadBalancerTypeEnum,
  signal: AbortSignal,
): Promise<LoadBalancer> {
  let loadBalancer: LoadBalancer | undefined;
  signal.throwIfAborted();
  try {
    const response = await elbv2.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }),
      { abortSignal: signal },
    );
    loadBalancer = response.LoadBalancers?.[0];
  } catch (cause) {
    // A call cut short by the deadline fails with the deadline's reason, not the SDK's.
    signal.throwIfAborted();
    if (isAwsError(cause, 'LoadBalancerNotFoundException')) {
      throw new LoadBalancerMismatchError(
        `LoadBalancerArn: got ${JSON.stringify(loadBalancerArn)}; expected an existing load balancer in this account and region, and none was found`,
        { cause },
      );
    }
    throw new AwsCallError(`DescribeLoadBalancers for ${loadBalancerArn} failed`, { cause });
  }
  if (!loadBalancer) {
    throw new LoadBalancerMismatchError(
      `LoadBalancerArn: got ${JSON.stringify(loadBalancerArn)}; expected an existing load balancer, and DescribeLoadBalancers returned none`,
    );
  }
  if (loadBalancer.Type !== expectedType) {
    throw new LoadBalancerMismatchError(
      `LoadBalancerArn: got ${JSON.stringify(loadBalancerArn)}, which is ${TYPE_NAMES[loadBalancer.Type ?? ''] ?? `of type ${String(loadBalancer.Type)}`}; expected ${TYPE_NAMES[expectedType] ?? expectedType}`,
    );
  }
  return loadBalancer;
}
