import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseBinding } from '../functions/shared/binding.js';
import { runSync, WRITE_CHUNK_SIZE } from '../functions/target-group-sync/sync.js';
import { AwsWorld, type Eni } from '../test/support/aws-world.js';
import {
  type DnsSamplingSettings,
  lookUp,
  PUBLISHED_SETTINGS,
  planDnsSamplingRun,
} from './dns-sampling-model.js';
import { mulberry32, type Random } from './prng.js';
import { check, countingStdout } from './stats.js';
import { type SyncBenchContext, warmContainer } from './sync-bench.js';
import { evenlySpread } from './world.js';

/**
 * The churn comparison: one ALB's history, and after each of its changes a few scheduled runs of
 * each design, side by side, each design keeping its own target group (the same NLB, port 443 for
 * this project's sync, 8443 for the DNS-sampling model). After every run the groups are read from
 * the emulator directly and held against the ALB's interfaces at that moment.
 */

export const RUNS_PER_STEP = 6;
export const DESIGNS = ['ENI description (this project)', 'DNS sampling (model)'] as const;
export type Design = (typeof DESIGNS)[number];
const [OURS, DNS] = DESIGNS;
const ALB_NAME = 'web';
/** A neighbour whose name contains this ALB's: `*web*` filters and prefix matches take it too. */
const NEIGHBOUR_NAME = 'web-canary';
const PORTS: Record<Design, number> = { [OURS]: 443, [DNS]: 8443 };
const CONCURRENCY = 16;

/** The ALB's interfaces, changed as AWS changes them: made and deleted, never edited. */
class ApplicationLoadBalancer {
  enis: Eni[] = [];
  /** Every IP this ALB ever had: registering anything else is the worst mistake there is. */
  readonly everIps = new Set<string>();

  constructor(
    private readonly world: AwsWorld,
    readonly arn: string,
    private readonly subnetIds: readonly string[],
  ) {}

  get ips(): string[] {
    return this.enis.map(({ ip }) => ip);
  }

  async add(count: number): Promise<void> {
    const made = await this.world.loadBalancerEnis(this.arn, this.subnetIds, count, CONCURRENCY);
    for (const { ip } of made) this.everIps.add(ip);
    this.enis.push(...made);
  }

  /** Deletes `count` interfaces spread evenly over the ALB, as nodes leave. */
  async remove(count: number): Promise<void> {
    const leaving = evenlySpread(this.enis.length, count);
    const removed = this.enis.filter((_, index) => leaving.has(index));
    await inBatches(removed, (eni) => this.world.deleteEni(eni));
    this.enis = this.enis.filter((_, index) => !leaving.has(index));
  }

  async scaleTo(count: number): Promise<void> {
    if (count > this.enis.length) await this.add(count - this.enis.length);
    else if (count < this.enis.length) await this.remove(this.enis.length - count);
  }

  /** Node replacement: `count` interfaces deleted and as many new ones made, at once. */
  async replace(count: number): Promise<void> {
    await this.remove(count);
    await this.add(count);
  }
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += CONCURRENCY) {
    await Promise.all(items.slice(start, start + CONCURRENCY).map(work));
  }
}

interface Step {
  readonly label: string;
  readonly apply: (
    alb: ApplicationLoadBalancer,
    neighbour: ApplicationLoadBalancer,
  ) => Promise<void>;
}

/** The history the issue names: scale out 10 → 100 → 400, in to 50, a fifth replaced, a neighbour. */
export const HISTORY: readonly Step[] = [
  { label: 'start: 10 IPs', apply: (alb) => alb.scaleTo(10) },
  { label: 'scale out to 100', apply: (alb) => alb.scaleTo(100) },
  { label: 'scale out to 400', apply: (alb) => alb.scaleTo(400) },
  { label: 'scale in to 50', apply: (alb) => alb.scaleTo(50) },
  { label: 'node replacement: 10 of 50', apply: (alb) => alb.replace(10) },
  {
    label: `neighbour ${NEIGHBOUR_NAME} (50 IPs)`,
    apply: (_alb, neighbour) => neighbour.scaleTo(50),
  },
];

/** What one design's target group held after one run, held against the ALB at that moment. */
export interface RunRecord {
  readonly design: Design;
  readonly step: number;
  /** 1 for the first run after the step's change. */
  readonly runInStep: number;
  /** 1 for the first run of the whole history. */
  readonly run: number;
  readonly liveIps: number;
  readonly liveRegistered: number;
  /** Registered IPs the ALB no longer has. */
  readonly deadRegistered: number;
  /** Of those, how many runs the longest-registered one has stayed since it left the ALB. */
  readonly deadLongestRuns: number;
  /** Registered IPs that were never this ALB's (the neighbour's, above all). */
  readonly foreignRegistered: number;
  /** IPs the ALB still has that this run deregistered. */
  readonly liveDeregistered: number;
  readonly apiCalls: number;
  readonly dnsLookups: number;
}

export interface ChurnComparison {
  readonly seed: number;
  readonly steps: readonly string[];
  readonly records: readonly RunRecord[];
}

/** One design's run: what it wrote, and what it cost beyond the group's own calls. */
interface DesignRun {
  readonly deregistered: readonly string[];
  readonly dnsLookups: number;
}

export async function compareChurn(
  context: SyncBenchContext,
  seed: number,
  settings: DnsSamplingSettings = PUBLISHED_SETTINGS,
): Promise<ChurnComparison> {
  const { moto, proxy, progress } = context;
  await moto.reset();
  const world = new AwsWorld(moto.endpoint);
  try {
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
    const { vpcId, subnetIds } = await world.network('10.1', zones);
    const alb = new ApplicationLoadBalancer(
      world,
      await world.loadBalancer(ALB_NAME, 'application', subnetIds),
      subnetIds,
    );
    const neighbour = new ApplicationLoadBalancer(
      world,
      await world.loadBalancer(NEIGHBOUR_NAME, 'application', subnetIds),
      subnetIds,
    );
    const nlbArn = await world.loadBalancer(`${ALB_NAME}-static`, 'network', subnetIds);
    const groups = {} as Record<Design, string>;
    for (const design of DESIGNS) {
      const port = PORTS[design];
      groups[design] = await world.targetGroup(`${ALB_NAME}-static-${port}`, vpcId, port);
      await world.listener(nlbArn, port, groups[design]);
    }

    const ours = ourSync(context, alb.arn, groups[OURS]);
    const random = mulberry32(seed);
    const dns = dnsSampling(context.elbv2, groups[DNS], settings, random);
    const records: RunRecord[] = [];
    const deadSince = { [OURS]: new Map<string, number>(), [DNS]: new Map<string, number>() };
    let run = 0;
    for (const [step, { label, apply }] of HISTORY.entries()) {
      await apply(alb, neighbour);
      progress(`churn: ${label} (ALB ${alb.enis.length} IPs)`);
      for (let runInStep = 1; runInStep <= RUNS_PER_STEP; runInStep += 1) {
        run += 1;
        for (const design of DESIGNS) {
          proxy.clear();
          const result = await (design === OURS ? ours() : dns(alb.ips));
          const apiCalls = proxy.actions().length;
          const registered = new Set(
            (await world.targets(groups[design])).map((key) => key.replace(/:\d+$/, '')),
          );
          const live = new Set(alb.ips);
          const dead = [...registered].filter((ip) => !live.has(ip) && alb.everIps.has(ip));
          const since = deadSince[design];
          for (const ip of [...since.keys()]) if (!registered.has(ip)) since.delete(ip);
          for (const ip of dead) since.set(ip, (since.get(ip) ?? 0) + 1);
          const record: RunRecord = {
            design,
            step,
            runInStep,
            run,
            liveIps: live.size,
            liveRegistered: [...live].filter((ip) => registered.has(ip)).length,
            deadRegistered: dead.length,
            deadLongestRuns: Math.max(0, ...since.values()),
            foreignRegistered: [...registered].filter((ip) => !alb.everIps.has(ip)).length,
            liveDeregistered: result.deregistered.filter((ip) => live.has(ip)).length,
            apiCalls,
            dnsLookups: result.dnsLookups,
          };
          verifyRecord(record, label);
          records.push(record);
        }
      }
    }
    return { seed, steps: HISTORY.map(({ label }) => label), records };
  } finally {
    world.ec2.destroy();
    world.elbv2.destroy();
  }
}

/**
 * A wrong result fails the benchmark: this project's sync must leave its group equal to the ALB's
 * IPs after every run (nothing fails on the emulator), and neither design may ever register an IP
 * that was never the ALB's. The model's slowness is what is measured, not a failure.
 */
export function verifyRecord(record: RunRecord, label: string): void {
  const where = `churn comparison, ${label}, run ${record.runInStep}, ${record.design}`;
  check(
    record.foreignRegistered === 0,
    `${where}: ${record.foreignRegistered} IP(s) registered that were never the ALB's`,
  );
  if (record.design !== OURS) return;
  check(
    record.liveRegistered === record.liveIps && record.deadRegistered === 0,
    `${where}: ${record.liveRegistered} of ${record.liveIps} live IPs registered, ` +
      `${record.deadRegistered} dead IP(s) still registered; expected exactly the ALB's IPs`,
  );
  check(
    record.liveDeregistered === 0,
    `${where}: deregistered ${record.liveDeregistered} live IPs`,
  );
}

/** This project's sync, as a warm container runs it on its schedule (its logs counted, not shown). */
function ourSync(
  context: SyncBenchContext,
  loadBalancerArn: string,
  targetGroupArn: string,
): () => Promise<DesignRun> {
  const binding = parseBinding({
    LoadBalancerArn: loadBalancerArn,
    TargetGroupArns: [targetGroupArn],
  });
  const deps = warmContainer(context);
  return async () => {
    const { value: summary } = await countingStdout(() =>
      runSync(binding, deps, new AbortController().signal),
    );
    const [group] = summary.targetGroups;
    check(
      group?.status === 'synced',
      `churn comparison: the sync reported ${group?.status ?? 'no group'}` +
        `${group?.error ? ` (${group.error})` : ''}`,
    );
    const port = PORTS[OURS];
    return {
      deregistered: group.deregistered.map((key) => key.replace(`:${port}`, '')),
      dnsLookups: 0,
    };
  };
}

/**
 * The model's run against the emulator: its lookups are simulated (dns-sampling-model.ts), its
 * target group calls are real: one DescribeTargetHealth, then registrations and deregistrations in
 * chunks of the same size this project's sync writes.
 */
function dnsSampling(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  settings: DnsSamplingSettings,
  random: Random,
): (liveIps: readonly string[]) => Promise<DesignRun> {
  let missingRuns = new Map<string, number>();
  const port = PORTS[DNS];
  const chunks = (ips: readonly string[]) =>
    Array.from({ length: Math.ceil(ips.length / WRITE_CHUNK_SIZE) }, (_, index) =>
      ips
        .slice(index * WRITE_CHUNK_SIZE, (index + 1) * WRITE_CHUNK_SIZE)
        .map((Id) => ({ Id, Port: port })),
    );
  return async (liveIps) => {
    const { seen, lookups } = lookUp(liveIps, settings, random);
    const health = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    const registered = new Set(
      (health.TargetHealthDescriptions ?? []).flatMap(({ Target }) =>
        Target?.Id ? [Target.Id] : [],
      ),
    );
    const plan = planDnsSamplingRun(seen, registered, missingRuns, settings);
    for (const Targets of chunks(plan.register)) {
      await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets }));
    }
    for (const Targets of chunks(plan.deregister)) {
      await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets }));
    }
    missingRuns = plan.missingRuns;
    return { deregistered: plan.deregister, dnsLookups: lookups };
  };
}
