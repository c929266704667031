import { AwsWorld, type Eni, eniDescriptionOf } from '../test/support/aws-world.js';

/**
 * The benchmark's world: one VPC, the ALB under test with `albEniCount` network interfaces, an NLB
 * whose two listeners forward to two IP target groups, ports 80 and 443 (so the sync reads the NLB's
 * zones, as in a real bridge), and OTHER_ENIS unrelated interfaces that discovery must skip.
 * `AwsWorld` gives every interface a distinct address, as AWS does.
 */

/** The bridge's two listeners, each with its IP target group: HTTP and HTTPS, as most ALBs have. */
export const TARGET_PORTS = [80, 443] as const;
const CONCURRENCY = 16;
/** Interfaces that are not the ALB's, in the same Region: the "among 3,000 other ENIs". */
export const OTHER_ENIS = 3000;

export interface BenchWorld {
  readonly world: AwsWorld;
  readonly subnetIds: readonly string[];
  readonly albArn: string;
  /** One IP target group per port of TARGET_PORTS, in that order. */
  readonly targetGroups: readonly { readonly arn: string; readonly port: number }[];
  /** The ALB's interfaces as they are now, in creation order. */
  albEnis: Eni[];
  readonly unrelatedEnis: readonly Eni[];
}

export async function buildWorld(endpoint: string, albEniCount: number): Promise<BenchWorld> {
  const world = new AwsWorld(endpoint);
  const { vpcId, subnetIds } = await world.network('10.0');
  const albArn = await world.loadBalancer('bench-alb', 'application', subnetIds);
  const neighbourArn = await world.loadBalancer('bench-alb-2', 'application', subnetIds);
  const nlbArn = await world.loadBalancer('bench-nlb', 'network', subnetIds);
  const targetGroups = [];
  for (const port of TARGET_PORTS) {
    const arn = await world.targetGroup(`bench-tg-${port}`, vpcId, port);
    await world.listener(nlbArn, port, arn);
    targetGroups.push({ arn, port });
  }
  const albEnis = await world.loadBalancerEnis(albArn, subnetIds, albEniCount, CONCURRENCY);

  // Interfaces that must not be taken for the ALB's: a neighbour ALB whose name starts the same,
  // an ALB of the same name with another id, a Network Load Balancer, and an instance.
  const unrelatedDescriptions = [
    eniDescriptionOf(neighbourArn),
    'ELB app/bench-alb/0123456789abcdef',
    'ELB net/bench-nlb/fedcba9876543210',
    'Primary network interface',
  ];
  const unrelatedEnis = await world.enis(
    subnetIds,
    OTHER_ENIS,
    (index) => unrelatedDescriptions[index % unrelatedDescriptions.length] ?? '',
    'elb',
    CONCURRENCY,
  );
  return { world, subnetIds, albArn, targetGroups, albEnis, unrelatedEnis };
}

/** The positions of `count` of `total` items, spread evenly over them: which nodes leave. */
export function evenlySpread(total: number, count: number): Set<number> {
  return new Set(Array.from({ length: count }, (_, index) => Math.floor((index * total) / count)));
}

/**
 * Replaces `count` of the ALB's interfaces, spread evenly over them, with new ones: the old are
 * deleted first, then the new made, as when an ALB node is replaced.
 */
export async function churn(
  bench: BenchWorld,
  count: number,
): Promise<{ removed: Eni[]; added: Eni[] }> {
  const indices = evenlySpread(bench.albEnis.length, count);
  const removed = bench.albEnis.filter((_, index) => indices.has(index));
  for (const eni of removed) await bench.world.deleteEni(eni);
  const added = await bench.world.loadBalancerEnis(
    bench.albArn,
    bench.subnetIds,
    count,
    CONCURRENCY,
  );
  bench.albEnis = [...bench.albEnis.filter((_, index) => !indices.has(index)), ...added];
  return { removed, added };
}
