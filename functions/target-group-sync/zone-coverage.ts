import type { LoadBalancerEni } from '../shared/load-balancer-enis.js';

/**
 * Which of the ALB's IPs a target group's load balancer can send traffic to: a pure function of
 * (discovered IPs with their zones, the group's VPC, the zones its load balancer has enabled).
 *
 * A target inside the target group's VPC is in the zone of its subnet, and a load balancer uses
 * only targets in zones it has enabled: a target in another zone is registered but unused
 * (`Target.NotInUse`), and cross-zone load balancing spreads traffic only across enabled zones. A
 * target outside the VPC is registered for all zones (`AvailabilityZone: "all"`), so it is served
 * whatever zones are enabled.
 */

/** What the zone check reads of a discovered interface. */
type ZonedIp = Pick<LoadBalancerEni, 'privateIp' | 'vpcId' | 'availabilityZone'>;

/**
 * The zones that a group's load balancers have enabled, all together and sorted; undefined when
 * they are not known: the group is attached to no load balancer, or one of them was not described.
 */
export function enabledZonesOf(
  loadBalancerArns: readonly string[],
  zonesByArn: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  if (loadBalancerArns.length === 0) return undefined;
  const zones = new Set<string>();
  for (const loadBalancerArn of loadBalancerArns) {
    const enabled = zonesByArn.get(loadBalancerArn);
    if (enabled === undefined) return undefined;
    for (const zone of enabled) zones.add(zone);
  }
  return [...zones].sort();
}

/** The IPs inside the VPC whose zone is not one of `enabledZones`, in the order given. */
export function ipsOutsideZones<Ip extends ZonedIp>(
  discovered: readonly Ip[],
  vpcId: string,
  enabledZones: readonly string[],
): Ip[] {
  const enabled = new Set(enabledZones);
  return discovered.filter((ip) => ip.vpcId === vpcId && !enabled.has(ip.availabilityZone));
}

/** How summaries, logs and errors name such an IP: `10.0.32.7 (us-east-1c)`. */
export const ipWithZone = ({ privateIp, availabilityZone }: ZonedIp): string =>
  `${privateIp} (${availabilityZone})`;
