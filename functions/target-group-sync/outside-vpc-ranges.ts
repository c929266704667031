import { BlockList } from 'node:net';
import type { LoadBalancerEni } from '../shared/load-balancer-enis.js';

/**
 * Which ALB IPs a target group can hold as targets from outside its VPC: a pure function of
 * (discovered IPs with their VPCs, the group's VPC).
 *
 * An IP target group takes any address from the subnets of its own VPC, whatever its range. From
 * outside that VPC (an ALB in a peered VPC, registered for all zones), Elastic Load Balancing takes
 * an address only in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) or 100.64.0.0/10
 * (RFC 6598), and never a publicly routable one, so RegisterTargets would refuse any other. The
 * ranges are IPv4, and the guide names no IPv6 range for a target outside the VPC: an address that
 * is not IPv4 is in none of them (discovery reads each interface's primary private IPv4 address).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-type
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetDescription.html
 */

/** The ranges an IP target from outside the target group's VPC must be in. */
export const OUTSIDE_VPC_RANGES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
] as const;

/** The same ranges as a BlockList, built once when the module loads, not once per IP. */
const RANGES = new BlockList();
for (const range of OUTSIDE_VPC_RANGES) {
  const [network, prefix] = range.split('/') as [string, string];
  RANGES.addSubnet(network, Number(prefix), 'ipv4');
}

/** Whether an address is in one of the ranges Elastic Load Balancing takes from outside a VPC. */
export function isInOutsideVpcRange(ip: string): boolean {
  return RANGES.check(ip, 'ipv4');
}

/** The IPs outside the VPC that are in none of the ranges, so no target, in the order given. */
export function ipsOutsideVpcRanges<Ip extends Pick<LoadBalancerEni, 'privateIp' | 'vpcId'>>(
  discovered: readonly Ip[],
  vpcId: string,
): Ip[] {
  return discovered.filter((ip) => ip.vpcId !== vpcId && !isInOutsideVpcRange(ip.privateIp));
}
