import { type EC2Client, paginateDescribeNetworkInterfaces } from '@aws-sdk/client-ec2';
import type { LoadBalancerArn } from './arns.js';
import { callUnderSignal } from './deadline.js';
import { AwsCallError } from './errors.js';
import { compareIps } from './ip-order.js';

/**
 * One network interface of a load balancer: its primary private IP and where it lives. This is the
 * shape an ALB IP keeps from discovery to the plan; the plan turns it into a target.
 */
export interface LoadBalancerEni {
  readonly networkInterfaceId: string;
  readonly privateIp: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
}

/** The most results DescribeNetworkInterfaces returns in one page. */
const PAGE_SIZE = 1000;

/**
 * Finds a load balancer's network interfaces by the exact description AWS gives them
 * (`ELB app/NAME/ID` or `ELB net/NAME/ID`), every page. The filter value has no wildcard, so a
 * neighbour `web-2` or another `web` with a different id is not caught; each result is checked
 * again here, because EC2 filter values treat `*` and `?` as wildcards.
 */
export async function discoverLoadBalancerEnis(
  ec2: EC2Client,
  loadBalancer: Pick<LoadBalancerArn, 'eniDescription'>,
  signal: AbortSignal,
): Promise<LoadBalancerEni[]> {
  const description = loadBalancer.eniDescription;
  const found: LoadBalancerEni[] = [];
  const read = async () => {
    // The paginator hands its last argument to every page's send: a page in flight is cancelled.
    const pages = paginateDescribeNetworkInterfaces(
      { client: ec2, pageSize: PAGE_SIZE },
      { Filters: [{ Name: 'description', Values: [description] }] },
      { abortSignal: signal },
    );
    for await (const page of pages) {
      signal.throwIfAborted();
      for (const eni of page.NetworkInterfaces ?? []) {
        if (eni.Description !== description || !eni.PrivateIpAddress) continue;
        found.push({
          networkInterfaceId: eni.NetworkInterfaceId ?? '',
          privateIp: eni.PrivateIpAddress,
          vpcId: eni.VpcId ?? '',
          availabilityZone: eni.AvailabilityZone ?? '',
        });
      }
    }
  };
  await callUnderSignal(signal, read, (cause) => {
    throw new AwsCallError(
      `DescribeNetworkInterfaces for description ${JSON.stringify(description)} failed`,
      { cause },
    );
  });
  return found.sort((a, b) => compareIps(a.privateIp, b.privateIp));
}
