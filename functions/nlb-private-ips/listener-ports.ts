import {
  type ElasticLoadBalancingV2Client,
  paginateDescribeListeners,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsCallError } from '../shared/errors.js';

/** The ports of the load balancer's listeners, every page, each once, ascending. */
export async function listenerPorts(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
): Promise<number[]> {
  const ports = new Set<number>();
  try {
    const pages = paginateDescribeListeners(
      { client: elbv2, pageSize: 400 },
      { LoadBalancerArn: loadBalancerArn },
    );
    for await (const page of pages) {
      for (const listener of page.Listeners ?? []) {
        if (listener.Port !== undefined) ports.add(listener.Port);
      }
    }
  } catch (cause) {
    throw new AwsCallError(`DescribeListeners for ${loadBalancerArn} failed`, { cause });
  }
  return [...ports].sort((a, b) => a - b);
}
