import {
  type EC2Client,
  type NetworkInterface,
  paginateDescribeNetworkInterfaces,
} from '@aws-sdk/client-ec2';
import type { LoadBalancerArn } from './arns.js';
import { boundList } from './bounded-text.js';
import { callUnderSignal } from './deadline.js';
import { AwsCallError } from './errors.js';
import { compareIps } from './ip-order.js';

/**
 * One network interface of a load balancer: its primary private IP and where it lives. This is the
 * shape an ALB IP keeps from discovery to the plan; the plan turns it into a target.
 */
export interface LoadBalancerEni {
  readonly networkInterfaceId: string;
  /** The primary private IPv4 address: an ALB node's address, the one its target is. */
  readonly privateIp: string;
  /**
   * The interface's secondary private IPv4 addresses, sorted; absent when it has none, as an ALB's
   * interfaces have none. An NLB may have some per subnet, and sends to its targets from them too.
   */
  readonly secondaryIps?: string[];
  readonly vpcId: string;
  readonly availabilityZone: string;
}

/**
 * An interface that carries the load balancer's exact description but that Elastic Load Balancing
 * did not create: anyone allowed ec2:CreateNetworkInterface in a subnet can write any description.
 * It is never used, and is reported.
 */
export interface LookalikeEni {
  readonly networkInterfaceId: string;
  readonly privateIp: string;
  /** What EC2 says of who created it (an account id, or a principal), for the report. */
  readonly requesterId: string;
  readonly requesterManaged: boolean;
}

/** What discovery found under the description: the load balancer's own, and the lookalikes. */
export interface DiscoveredEnis {
  readonly enis: LoadBalancerEni[];
  readonly lookalikes: LookalikeEni[];
}

/**
 * The requester of every interface Elastic Load Balancing creates. EC2 sets RequesterManaged and
 * RequesterId when a service creates an interface on an account's behalf; no one can set or change
 * them through the EC2 API (CreateNetworkInterface has no such parameter, and a requester-managed
 * interface's attributes cannot be modified), and an interface a principal creates has its own
 * account or principal id as RequesterId and RequesterManaged false.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NetworkInterface.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNetworkInterface.html
 */
export const ELB_REQUESTER_ID = 'amazon-elb';

/**
 * Whether Elastic Load Balancing created the interface. InterfaceType is not checked: it is
 * `interface` for an ALB's nodes and `network_load_balancer` for an NLB's, and the API lists
 * further values AWS may move a load balancer to; it adds nothing that the requester does not
 * already prove. Attachment.InstanceOwnerId (also `amazon-elb`) is absent while an interface is
 * being attached, so it is not required either.
 */
export function isElbManaged(eni: Pick<NetworkInterface, 'RequesterManaged' | 'RequesterId'>) {
  return eni.RequesterManaged === true && eni.RequesterId === ELB_REQUESTER_ID;
}

/** The warning a function logs, once per run, when discovery set lookalikes apart. */
export const LOOKALIKES_WARNING =
  "Ignored network interfaces that carry the load balancer's description but were not created by Elastic Load Balancing";
/** How many lookalikes that warning names; the rest are counted. */
export const LOOKALIKES_LOGGED = 5;

/**
 * The warning's fields: how many lookalikes, and the first few as `eni ip (requester …)`, so
 * that however many someone creates, the line stays bounded and still says who made them.
 */
export function lookalikesLogged(lookalikes: readonly LookalikeEni[]): {
  lookalikeCount: number;
  lookalikes: string;
} {
  return {
    lookalikeCount: lookalikes.length,
    lookalikes: boundList(
      lookalikes.map(
        (eni) =>
          `${eni.networkInterfaceId} ${eni.privateIp} (requester ${eni.requesterId || 'none'})`,
      ),
      LOOKALIKES_LOGGED,
      ', ',
    ),
  };
}

/** The most results DescribeNetworkInterfaces returns in one page. */
const PAGE_SIZE = 1000;

/**
 * Finds a load balancer's network interfaces by the exact description AWS gives them
 * (`ELB app/NAME/ID` or `ELB net/NAME/ID`), every page. The filter value has no wildcard, so a
 * neighbour `web-2` or another `web` with a different id is not caught; each result is checked
 * again here, because EC2 filter values treat `*` and `?` as wildcards.
 *
 * The description is free text, so an interface is the load balancer's only if Elastic Load
 * Balancing created it (isElbManaged); any other is a lookalike, returned apart to be reported.
 * EC2 can filter on `requester-managed` and `requester-id` too, and the request deliberately does
 * not: a lookalike filtered out by EC2 could be neither counted nor alarmed on, and it would take a
 * second call every run to find them. The check here is what keeps them out, in every caller.
 * Nor does it set IncludeManagedResources: that reaches resources a service provider manages
 * (Operator.Managed), which an account may hide; Elastic Load Balancing's interfaces are
 * requester-managed, not operator-managed, and are listed whatever that setting says.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ManagedResourceVisibilitySettings.html
 */
export async function discoverLoadBalancerEnis(
  ec2: EC2Client,
  loadBalancer: Pick<LoadBalancerArn, 'eniDescription'>,
  signal: AbortSignal,
): Promise<DiscoveredEnis> {
  const description = loadBalancer.eniDescription;
  const enis: LoadBalancerEni[] = [];
  const lookalikes: LookalikeEni[] = [];
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
        const networkInterfaceId = eni.NetworkInterfaceId ?? '';
        if (!isElbManaged(eni)) {
          lookalikes.push({
            networkInterfaceId,
            privateIp: eni.PrivateIpAddress,
            requesterId: eni.RequesterId ?? '',
            requesterManaged: eni.RequesterManaged === true,
          });
          continue;
        }
        const secondaryIps = secondaryIpsOf(eni, eni.PrivateIpAddress);
        enis.push({
          networkInterfaceId,
          privateIp: eni.PrivateIpAddress,
          ...(secondaryIps.length > 0 && { secondaryIps }),
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
  enis.sort((a, b) => compareIps(a.privateIp, b.privateIp));
  lookalikes.sort((a, b) => compareIps(a.privateIp, b.privateIp));
  return { enis, lookalikes };
}

/** The interface's private IPv4 addresses other than the primary one, each once, sorted. */
function secondaryIpsOf(eni: NetworkInterface, primary: string): string[] {
  const listed = (eni.PrivateIpAddresses ?? []).map((address) => address.PrivateIpAddress ?? '');
  const secondary = new Set(listed.filter((ip) => ip !== '' && ip !== primary));
  return [...secondary].sort(compareIps);
}
