import { eniDescriptionFor } from '../functions/shared/arns.js';
import { AwsWorld, type Eni } from '../test/support/aws-world.js';

/**
 * The benchmark's world: one VPC, the ALB under test with `albEniCount` network interfaces, an NLB
 * whose listener forwards to one IP target group on port 443 (so the sync reads the NLB's zones, as
 * in a real bridge), and unrelated interfaces that discovery must skip. `AwsWorld` gives every
 * interface a distinct address, as AWS does.
 */

export const TARGET_PORT = 443;
const CONCURRENCY = 16;

export interface BenchWorld {
  readonly world: AwsWorld;
  readonly subnetIds: readonly string[];
  readonly albArn: string;
  readonly targetGroupArn: string;
  /** The ALB's interfaces as they are now, in creation order. */
  albEnis: Eni[];
  readonly unrelatedEnis: readonly Eni[];
}

export async function buildWorld(endpoint: string, albEniCount: number): Promise<BenchWorld> {
  const world = new AwsWorld(endpoint);
  const { vpcId, subnetIds } = await world.network('10.0');
  const albArn = await world.loadBalancer('bench-alb', 'application', subnetIds);
  const neighbourArn = await world.loadBalancer('bench-alb-2', 'application', subnetIds);
  const targetGroupArn = await world.targetGroup('bench-tg-443', vpcId, TARGET_PORT);
  const nlbArn = await world.loadBalancer('bench-nlb', 'network', subnetIds);
  await world.listener(nlbArn, TARGET_PORT, targetGroupArn);
  const albEnis = await world.loadBalancerEnis(albArn, subnetIds, albEniCount, CONCURRENCY);

  // Interfaces that must not be taken for the ALB's: a neighbour ALB whose name starts the same,
  // an ALB of the same name with another id, a Network Load Balancer, and an instance.
  const unrelatedDescriptions = [
    eniDescriptionFor(neighbourArn),
    'ELB app/bench-alb/0123456789abcdef',
    'ELB net/bench-nlb/fedcba9876543210',
    'Primary network interface',
  ];
  const unrelatedEnis = await world.enis(
    subnetIds,
    Math.floor(albEniCount / 2),
    (index) => unrelatedDescriptions[index % unrelatedDescriptions.length] ?? '',
    CONCURRENCY,
  );
  return { world, subnetIds, albArn, targetGroupArn, albEnis, unrelatedEnis };
}

/**
 * Replaces `count` of the ALB's interfaces, spread evenly over them, with new ones: the old are
 * deleted first, then the new made, as when an ALB node is replaced.
 */
export async function churn(
  bench: BenchWorld,
  count: number,
): Promise<{ removed: Eni[]; added: Eni[] }> {
  const total = bench.albEnis.length;
  const indices = new Set(
    Array.from({ length: count }, (_, index) => Math.floor((index * total) / count)),
  );
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
