import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseBinding } from '../../functions/shared/binding.js';
import {
  planTargetChanges,
  type RegisteredTarget,
  type TargetGroupFacts,
  targetKey,
  type WriteStep,
  writeSteps,
} from '../../functions/target-group-sync/plan.js';
import { syncTargetGroups } from '../../functions/target-group-sync/sync.js';
import { LIVE } from '../support/signals.js';

/**
 * Two syncs of one target group running at the same time, as a scheduled run and an ENI-event run
 * can. Each run reads the group's targets and the ALB's IPs, plans from its own reads with the real
 * `planTargetChanges` and `writeSteps`, then writes its steps; the other run's reads and writes,
 * and the ALB's own changes, fall anywhere in between. The group is a set of `ip:port` keys, as
 * Elastic Load Balancing keeps it. The order of a run's two reads is the one syncTargetGroups
 * uses, observed below.
 */

const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const GROUP: TargetGroupFacts = {
  targetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/73e2d6bc24d8a067',
  port: 443,
  vpcId: 'vpc-nlb',
};

type Read = 'targets' | 'enis';

/**
 * The order in which syncTargetGroups reads a group's targets and the ALB's IPs, observed on a run
 * against mocked clients.
 */
async function observedReadOrder(): Promise<Read[]> {
  const order: Read[] = [];
  const ec2Mock = mockClient(EC2Client);
  const elbMock = mockClient(ElasticLoadBalancingV2Client);
  try {
    elbMock.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [{ LoadBalancerArn: ALB, Type: 'application' }],
    });
    elbMock.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        { TargetGroupArn: GROUP.targetGroupArn, TargetType: 'ip', Port: 443, VpcId: GROUP.vpcId },
      ],
    });
    elbMock.on(DescribeTargetHealthCommand).callsFake(async () => {
      order.push('targets');
      return { TargetHealthDescriptions: [] };
    });
    ec2Mock.on(DescribeNetworkInterfacesCommand).callsFake(async () => {
      order.push('enis');
      return { NetworkInterfaces: [] };
    });
    await syncTargetGroups(
      parseBinding({ LoadBalancerArn: ALB, TargetGroupArns: [GROUP.targetGroupArn] }),
      {
        ec2: new EC2Client({}),
        elbv2: new ElasticLoadBalancingV2Client({}),
        logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
        metrics: { addMetric: vi.fn() },
      },
      LIVE,
    );
  } finally {
    ec2Mock.restore();
    elbMock.restore();
  }
  return order;
}

// Observed before each test, not once before all: code run outside a test (at load or in beforeAll)
// is a static mutant to Stryker, tested by reloading every related test file instead of only the
// tests that cover it.
let READ_ORDER: readonly Read[] = [];
beforeEach(async () => {
  READ_ORDER = await observedReadOrder();
});

/** Who acts next: a run (its next read or write step), or the ALB, moving to its next IPs. */
type Actor = number | 'alb';

/** Picks the next actor among those with something left to do, on the given turn. */
type Chooser = (actors: readonly Actor[], turn: number) => Actor;

interface World {
  /** The ALB's IPs when the runs start, then after each change. */
  readonly albStages: readonly (readonly string[])[];
  /** The group's targets (IPs) when the runs start. */
  readonly initial: readonly string[];
  readonly chunkSize: number;
}

interface Run {
  readonly reads: Read[];
  registered?: RegisteredTarget[];
  snapshot?: readonly string[];
  steps?: WriteStep[];
}

const key = (ip: string) => `${ip}:${GROUP.port}`;

const asTargets = (group: ReadonlySet<string>): RegisteredTarget[] =>
  [...group].map((target) => {
    const [id = '', port = '0'] = target.split(':');
    return { id, port: Number(port), state: 'healthy' };
  });

const discovered = (ips: readonly string[]) =>
  ips.map((privateIp) => ({ privateIp, vpcId: GROUP.vpcId }));

/** Applies one write step to the group the way Elastic Load Balancing does. */
function apply(group: Set<string>, step: WriteStep): void {
  for (const target of step.targets) {
    if (step.action === 'register') group.add(targetKey(target));
    else group.delete(targetKey(target));
  }
}

/** One run on its own: plans from (the ALB's IPs, the group) and writes every step. */
function runAlone(group: Set<string>, albIps: readonly string[], chunkSize: number) {
  const plan = planTargetChanges(discovered(albIps), asTargets(group), GROUP);
  const steps = writeSteps(plan, chunkSize);
  for (const step of steps) apply(group, step);
  return { plan, steps };
}

/**
 * Plays `runs` syncs that read in `order`, interleaved with each other and with the ALB's changes
 * as `choose` says. Returns the group after every event, the group at the end, and the ALB's IPs
 * at the end.
 */
function interleave(world: World, order: readonly Read[], runs: number, choose: Chooser) {
  const group = new Set(world.initial.map(key));
  let stage = 0;
  const states: Set<string>[] = [];
  const state: Run[] = Array.from({ length: runs }, () => ({ reads: [...order] }));
  const busy = (run: Run) => run.steps === undefined || run.steps.length > 0;
  for (let turn = 0; ; turn += 1) {
    const actors: Actor[] = [
      ...state.flatMap((run, index) => (busy(run) ? [index] : [])),
      ...(stage < world.albStages.length - 1 ? ['alb' as const] : []),
    ];
    if (actors.length === 0) break;
    const actor = choose(actors, turn);
    if (actor === 'alb') {
      stage += 1;
    } else {
      const run = state[actor] as Run;
      const read = run.reads.shift();
      if (read === 'targets') run.registered = asTargets(group);
      else if (read === 'enis') run.snapshot = world.albStages[stage] ?? [];
      else apply(group, run.steps?.shift() as WriteStep);
      if (run.reads.length === 0 && run.steps === undefined) {
        const plan = planTargetChanges(discovered(run.snapshot ?? []), run.registered ?? [], GROUP);
        run.steps = writeSteps(plan, world.chunkSize);
      }
    }
    states.push(new Set(group));
  }
  return { states, group, albIps: world.albStages.at(-1) ?? [] };
}

/** A chooser that reads a tape of numbers, one a turn; the first actor once the tape ends. */
const fromTape =
  (tape: readonly number[]): Chooser =>
  (actors, turn) =>
    actors[(tape[turn] ?? 0) % actors.length] as Actor;

/** A chooser that follows a script, skipping to the first actor where the script is done. */
const fromScript =
  (script: readonly Actor[]): Chooser =>
  (actors, turn) => {
    const next = script[turn];
    return next !== undefined && actors.includes(next) ? next : (actors[0] as Actor);
  };

// IPs from a small pool, each alive over one stretch of the ALB's history: an address does not come
// back once its interface is gone. The group starts with IPs the ALB had when the runs start or
// before: a group that earlier runs filled. An IP alive all along keeps every interleaving safe, so
// it is drawn less often than the others; the tape has a choice for every turn.
const POOL = Array.from({ length: 4 }, (_, i) => `10.0.0.${i + 1}`);
const worldArbitrary: fc.Arbitrary<World> = fc
  .integer({ min: 2, max: 3 })
  .chain((stages) => {
    const spans: [born: number, dies: number][] = [];
    for (let born = -1; born < stages; born += 1) {
      for (let dies = born + 1; dies <= stages; dies += 1) spans.push([born, dies]);
    }
    const lifetime = fc.oneof(
      ...spans.map((span) => ({
        arbitrary: fc.constant(span),
        weight: span[0] <= 0 && span[1] === stages ? 1 : 4,
      })),
    );
    return fc.record({
      stages: fc.constant(stages),
      lifetimes: fc.tuple(...POOL.map(() => lifetime)),
      inGroup: fc.tuple(...POOL.map(() => fc.boolean())),
      chunkSize: fc.integer({ min: 1, max: 2 }),
    });
  })
  .map(({ stages, lifetimes, inGroup, chunkSize }) => {
    const alive = (i: number, stage: number) => {
      const [born, dies] = lifetimes[i] as [number, number];
      return born <= stage && stage < dies;
    };
    return {
      albStages: Array.from({ length: stages }, (_, stage) =>
        POOL.filter((_, i) => alive(i, stage)),
      ),
      initial: POOL.filter((_, i) => inGroup[i] && (lifetimes[i] as [number, number])[0] <= 0),
      chunkSize,
    };
  });
const tapeArbitrary = fc.array(fc.nat({ max: 5 }), { minLength: 24, maxLength: 24 });

describe('Property: overlapping syncs', () => {
  it('read the targets, then the ALB IPs', () => {
    expect(READ_ORDER).toEqual(['targets', 'enis']);
  });

  it.each([2, 3])(
    'of %i runs, whatever their interleaving, never leave the group empty, and one more run converges',
    (runs) => {
      fc.assert(
        fc.property(worldArbitrary, tapeArbitrary, (world, tape) => {
          // Act
          const { states, group, albIps } = interleave(world, READ_ORDER, runs, fromTape(tape));
          const last = runAlone(group, albIps, world.chunkSize);
          const next = runAlone(group, albIps, world.chunkSize);

          // Assess: never empty once it had a target (each run registers before it deregisters)
          if (world.initial.length > 0) {
            for (const state of states) expect(state.size).toBeGreaterThan(0);
          }
          // ... and one more run leaves exactly the current IPs, or refuses while the ALB has none
          if (albIps.length > 0 || group.size === 0) {
            expect([...group].sort()).toEqual(albIps.map(key).sort());
          } else {
            expect(last.plan.kind).toBe('refused');
          }
          expect(next.steps).toEqual([]);
        }),
        { numRuns: 2_000 },
      );
    },
  );
});

describe('Example: why a run reads the targets before the ALB IPs', () => {
  it('the schedule that empties the group when the ALB IPs are read first keeps the new IP', () => {
    // Prepare: the ALB replaces its one node: 10.0.0.1 goes, 10.0.0.2 comes; the group holds
    // 10.0.0.1. Run 0 makes its first read, the ALB changes, run 1 reads both and registers
    // 10.0.0.2, run 0 makes its second read, then run 1 and run 0 deregister what each found stale.
    const world: World = {
      albStages: [['10.0.0.1'], ['10.0.0.2']],
      initial: ['10.0.0.1'],
      chunkSize: 1,
    };
    const script: Actor[] = [0, 'alb', 1, 1, 1, 0, 1, 0];

    // Act
    const ipsFirst = interleave(world, ['enis', 'targets'], 2, fromScript(script));
    const asSynced = interleave(world, READ_ORDER, 2, fromScript(script));

    // Assess: with the IPs first, run 0 read 10.0.0.1 on the ALB, then both IPs in the group
    expect(ipsFirst.states.map((state) => [...state].sort())).toEqual([
      ['10.0.0.1:443'],
      ['10.0.0.1:443'],
      ['10.0.0.1:443'],
      ['10.0.0.1:443'],
      ['10.0.0.1:443', '10.0.0.2:443'],
      ['10.0.0.1:443', '10.0.0.2:443'],
      ['10.0.0.2:443'],
      [],
    ]);
    // ... as syncTargetGroups reads, run 0 read 10.0.0.1 in the group, then 10.0.0.2 on the ALB
    for (const state of asSynced.states) expect(state.size).toBeGreaterThan(0);
    expect([...asSynced.group]).toEqual(['10.0.0.2:443']);
  });
});
