import {
  type ElasticLoadBalancingV2Client,
  paginateDescribeListeners,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { callUnderSignal } from '../shared/deadline.js';
import { AwsCallError } from '../shared/errors.js';

/** The ports of the load balancer's listeners, every page, each once, ascending. */
export async function listenerPorts(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  signal: AbortSignal,
): Promise<number[]> {
  const ports = new Set<number>();
  const read = async () => {
    const pages = paginateDescribeListeners(
      { client: elbv2, pageSize: 400 },
      { LoadBalancerArn: loadBalancerArn },
      { abortSignal: signal },
    );
    for await (const page of pages) {
      signal.throwIfAborted();
      for (const listener of page.Listeners ?? []) {
        if (listener.Port !== undefined) ports.add(listener.Port);
      }
    }
  };
  await callUnderSignal(signal, read, (cause) => {
    throw new AwsCallError(`DescribeListeners for ${loadBalancerArn} failed`, { cause });
  });
  return [...ports].sort((a, b) => a - b);
}
