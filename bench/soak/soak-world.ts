import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsWorld, type Eni, eniDescriptionOf } from '../../test/support/aws-world.js';
import type { GroupTarget } from './invariants.js';

/**
 * The soak's world in the emulator, built and changed directly (never through the faults): one
 * VPC over two zones; the ALB `web` and its neighbour `web-2`, whose name contains `web` and whose
 * interfaces must never be registered; an interface described as another `web` with another id;
 * the NLB `web-static` with its own interfaces; two IP target groups the schedule keeps in sync
 * (ports 80 and 443), two more that the deploy-time custom resource owns (8080 and 8443), each on a
 * listener of the NLB; and the ALB's security group, for nlb-private-ips.
 */
export interface SoakGroup {
  readonly name: string;
  readonly arn: string;
  readonly port: number;
}

export interface SoakWorld {
  readonly world: AwsWorld;
  readonly subnetIds: readonly string[];
  readonly albArn: string;
  readonly neighbourArn: string;
  readonly nlbArn: string;
  readonly syncGroups: readonly SoakGroup[];
  readonly resourceGroups: readonly SoakGroup[];
  readonly securityGroupId: string;
  readonly nlbIps: readonly string[];
  /** The ALB's interfaces now, oldest first. */
  albEnis: Eni[];
  neighbourEnis: Eni[];
}

const INITIAL_ALB_ENIS = 3;

export async function buildSoakWorld(emulator: string): Promise<SoakWorld> {
  const world = new AwsWorld(emulator);
  const { vpcId, subnetIds } = await world.network('10.0');
  const albArn = await world.loadBalancer('web', 'application', subnetIds);
  const neighbourArn = await world.loadBalancer('web-2', 'application', subnetIds);
  const nlbArn = await world.loadBalancer('web-static', 'network', subnetIds);
  const group = async (name: string, port: number): Promise<SoakGroup> => {
    const arn = await world.targetGroup(name, vpcId, port);
    await world.listener(nlbArn, port, arn);
    return { name, arn, port };
  };
  const syncGroups = [await group('web-static-80', 80), await group('web-static-443', 443)];
  const resourceGroups = [
    await group('web-static-8080', 8080),
    await group('web-static-8443', 8443),
  ];
  const securityGroupId = await world.securityGroup('web-alb', vpcId);
  const nlbEnis = await world.loadBalancerEnis(nlbArn, subnetIds, 2);
  const albEnis = await world.loadBalancerEnis(albArn, subnetIds, INITIAL_ALB_ENIS);
  const neighbourEnis = await world.loadBalancerEnis(neighbourArn, subnetIds, 2);
  const albId = albArn.split('/').at(-1) ?? '';
  const otherId = albId === '0123456789abcdef' ? 'fedcba9876543210' : '0123456789abcdef';
  await world.eni(subnetIds[0] ?? '', `ELB app/web/${otherId}`, 'elb');
  return {
    world,
    subnetIds,
    albArn,
    neighbourArn,
    nlbArn,
    syncGroups,
    resourceGroups,
    securityGroupId,
    nlbIps: nlbEnis.map(({ ip }) => ip),
    albEnis,
    neighbourEnis,
  };
}

/** The ALB's IPs as the emulator has them now, by the exact description AWS gives them. */
export async function albIpsInEmulator(soak: SoakWorld): Promise<string[]> {
  const description = eniDescriptionOf(soak.albArn);
  const found = await soak.world.ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [{ Name: 'description', Values: [description] }],
    }),
  );
  return (found.NetworkInterfaces ?? [])
    .filter((eni) => eni.Description === description)
    .map((eni) => eni.PrivateIpAddress ?? '')
    .sort();
}

/** A group's targets, with their states, as the emulator has them now. */
export async function groupTargets(
  soak: SoakWorld,
  targetGroupArn: string,
): Promise<GroupTarget[]> {
  const health = await soak.world.elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
  );
  return (health.TargetHealthDescriptions ?? []).map(({ Target, TargetHealth }) => ({
    id: Target?.Id ?? '',
    ...(TargetHealth?.State ? { state: TargetHealth.State } : {}),
  }));
}

/** The IPs of a group's serving targets (not draining), as the emulator has them now. */
export async function groupIps(soak: SoakWorld, targetGroupArn: string): Promise<string[]> {
  return (await groupTargets(soak, targetGroupArn))
    .filter(({ state }) => state !== 'draining' && state !== 'unused')
    .map(({ id }) => id)
    .sort();
}
