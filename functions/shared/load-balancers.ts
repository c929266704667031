import {
  DescribeLoadBalancersCommand,
  type ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type LoadBalancerTypeEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { boundList } from './bounded-text.js';
import { callUnderSignal } from './deadline.js';
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
  const loadBalancer = await callUnderSignal(
    signal,
    async () => {
      const response = await elbv2.send(
        new DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }),
        { abortSignal: signal },
      );
      return response.LoadBalancers?.[0];
    },
    (cause) => {
      if (isAwsError(cause, 'LoadBalancerNotFoundException')) {
        throw new LoadBalancerMismatchError(
          `LoadBalancerArn: got ${JSON.stringify(loadBalancerArn)}; expected an existing load balancer in this account and region, and none was found`,
          { cause },
        );
      }
      throw new AwsCallError(`DescribeLoadBalancers for ${loadBalancerArn} failed`, { cause });
    },
  );
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

/** The most load balancers DescribeLoadBalancers takes by ARN in one call. */
export const DESCRIBE_LOAD_BALANCERS_MAX_ARNS = 20;

/**
 * The Availability Zones each load balancer has enabled (`AvailabilityZones[].ZoneName`), sorted:
 * one DescribeLoadBalancers call for up to 20 ARNs. A call for at most 20 ARNs fits in one page (a
 * page holds up to 400 load balancers), so no call here is paginated. A load balancer that the call
 * did not return is missing from the map.
 */
export async function describeEnabledZones(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArns: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, string[]>> {
  const zones = new Map<string, string[]>();
  for (let start = 0; start < loadBalancerArns.length; start += DESCRIBE_LOAD_BALANCERS_MAX_ARNS) {
    const arns = loadBalancerArns.slice(start, start + DESCRIBE_LOAD_BALANCERS_MAX_ARNS);
    const response = await callUnderSignal(
      signal,
      () =>
        elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: arns }), {
          abortSignal: signal,
        }),
      (cause) => {
        throw new AwsCallError(`DescribeLoadBalancers for ${boundList(arns, 3, ', ')} failed`, {
          cause,
        });
      },
    );
    for (const { LoadBalancerArn, AvailabilityZones = [] } of response.LoadBalancers ?? []) {
      if (!LoadBalancerArn) continue;
      zones.set(
        LoadBalancerArn,
        AvailabilityZones.flatMap(({ ZoneName }) => ZoneName ?? []).sort(),
      );
    }
  }
  return zones;
}
