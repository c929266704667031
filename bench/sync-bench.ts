import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseBinding } from '../functions/shared/binding.js';
import type { CoreLogger, CoreMetrics } from '../functions/shared/observability.js';
import {
  type SyncDependencies,
  type SyncSummary,
  syncTargetGroups,
  WRITE_CHUNK_SIZE,
} from '../functions/target-group-sync/sync.js';
import type { MotoServer } from '../test/support/moto-server.js';
import type { RecordingProxy } from '../test/support/recording-proxy.js';
import { type CallTimer, formatCallTimes, type TimedCall } from './call-timer.js';
import { check, countBy, formatCounts, median, percentile, timed } from './stats.js';
import { type BenchWorld, buildWorld, churn, TARGET_PORT } from './world.js';

export const STEADY_RUNS = 5;
/** DescribeNetworkInterfaces page size used by discovery (load-balancer-enis.ts). */
const DISCOVERY_PAGE_SIZE = 1000;

export interface SyncRow {
  readonly scenario: string;
  readonly enis: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** One number, or `min–max` when repeated runs made different numbers of calls. */
  readonly apiCalls: string;
  readonly byAction: string;
  readonly registered: number;
  readonly deregistered: number;
  readonly notes: string[];
  /** Of the run whose wall time is the median: per action, total ms (server ms). */
  readonly callTimes: string;
  /** That run's SDK-side time (serialise, sign, parse): all calls' total minus server. */
  readonly sdkMs: number;
  /** That run's time outside any AWS call: planning, summaries, logging. */
  readonly otherMs: number;
}

const silentLogger: CoreLogger = { info() {}, warn() {}, error() {} };
const noMetrics = { addMetric() {} } as unknown as CoreMetrics;

interface Measured {
  readonly summary: SyncSummary;
  readonly elapsed: number;
  readonly actions: string[];
  readonly calls: TimedCall[];
}

export interface SyncBenchContext {
  readonly moto: MotoServer;
  readonly proxy: RecordingProxy;
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly timer: CallTimer;
  readonly progress: (line: string) => void;
}

/** First sync, steady state and churn for an ALB with `albEniCount` network interfaces. */
export async function benchSyncAt(
  context: SyncBenchContext,
  albEniCount: number,
): Promise<SyncRow[]> {
  const { moto, proxy, timer, progress } = context;
  await moto.reset();
  const built = await timed(() => buildWorld(moto.endpoint, albEniCount));
  const bench = built.value;
  try {
    progress(
      `N=${albEniCount}: world built in ${(built.elapsed / 1000).toFixed(1)} s ` +
        `(${bench.albEnis.length} ALB ENIs, ${bench.unrelatedEnis.length} unrelated)`,
    );
    const binding = parseBinding({
      LoadBalancerArn: bench.albArn,
      TargetGroupArns: [bench.targetGroupArn],
    });
    const deps: SyncDependencies = {
      ec2: context.ec2,
      elbv2: context.elbv2,
      logger: silentLogger,
      metrics: noMetrics,
    };
    const measure = async (): Promise<Measured> => {
      proxy.clear();
      timer.clear();
      const { value, elapsed } = await timed(() =>
        syncTargetGroups(binding, deps, new AbortController().signal),
      );
      return { summary: value, elapsed, actions: proxy.actions(), calls: [...timer.calls] };
    };
    const rows: SyncRow[] = [];
    const label = `N=${albEniCount}`;

    // 1. First sync: the group is empty, every ALB IP is registered.
    const first = await measure();
    const expectedFirst = bench.albEnis.map(({ ip }) => ip);
    verifyWrites(`${label} first sync`, first.summary, expectedFirst, []);
    await verifyGroup(`${label} first sync`, bench);
    rows.push(row('first sync', albEniCount, [first], bench));
    progress(`${label}: first sync ${first.elapsed.toFixed(0)} ms, ${first.actions.length} calls`);

    // 2. Steady state: nothing changed, nothing may be written.
    const steady: Measured[] = [];
    for (let run = 0; run < STEADY_RUNS; run += 1) {
      const measured = await measure();
      verifyWrites(`${label} steady state run ${run + 1}`, measured.summary, [], []);
      steady.push(measured);
    }
    rows.push(row('steady state', albEniCount, steady, bench));
    progress(
      `${label}: steady state median ${median(steady.map((m) => m.elapsed)).toFixed(0)} ms ` +
        `over ${STEADY_RUNS} runs`,
    );

    // 3. Churn: ~10% of the ALB's interfaces replaced by new ones.
    const churnCount = Math.max(1, Math.round(albEniCount / 10));
    const { removed, added } = await churn(bench, churnCount);
    const churned = await measure();
    verifyWrites(
      `${label} churn`,
      churned.summary,
      added.map(({ ip }) => ip),
      removed.map(({ ip }) => ip),
    );
    await verifyGroup(`${label} churn`, bench);
    rows.push(row(`churn (${churnCount} replaced)`, albEniCount, [churned], bench));
    progress(`${label}: churn ${churned.elapsed.toFixed(0)} ms, ${churned.actions.length} calls`);

    // And the group is stable again afterwards (checked, not reported).
    const after = await measure();
    verifyWrites(`${label} steady state after churn`, after.summary, [], []);
    return rows;
  } finally {
    bench.world.ec2.destroy();
    bench.world.elbv2.destroy();
  }
}

/** The summary registered exactly `register` and deregistered exactly `deregister` (IPs). */
function verifyWrites(
  what: string,
  summary: SyncSummary,
  register: readonly string[],
  deregister: readonly string[],
): void {
  check(summary.targetGroups.length === 1, `${what}: expected 1 target group in the summary`);
  const [group] = summary.targetGroups;
  check(group !== undefined, `${what}: no target group summary`);
  check(
    group.status === 'synced',
    `${what}: target group status ${group.status}${group.error ? ` (${group.error})` : ''}`,
  );
  const same = (label: string, actual: readonly string[], expectedIps: readonly string[]) => {
    const expected = expectedIps.map((ip) => `${ip}:${TARGET_PORT}`).sort();
    const got = [...actual].sort();
    check(
      got.length === expected.length && got.every((key, index) => key === expected[index]),
      `${what}: ${label} ${got.length} target(s), expected ${expected.length}` +
        ` (first got: ${got.slice(0, 3).join(', ') || 'none'};` +
        ` first expected: ${expected.slice(0, 3).join(', ') || 'none'})`,
    );
  };
  same('registered', group.registered, register);
  same('deregistered', group.deregistered, deregister);
}

/** The target group, read from the emulator directly, holds exactly the ALB's current IPs. */
async function verifyGroup(what: string, bench: BenchWorld): Promise<void> {
  const targets = await bench.world.targets(bench.targetGroupArn);
  const expected = bench.albEnis.map(({ ip }) => `${ip}:${TARGET_PORT}`).sort();
  const missing = expected.filter((key) => !targets.includes(key));
  const extra = targets.filter((key) => !expected.includes(key));
  check(
    missing.length === 0 && extra.length === 0,
    `${what}: target group holds ${targets.length} target(s), expected ${expected.length}` +
      ` (${missing.length} missing, e.g. ${missing.slice(0, 3).join(', ') || '-'};` +
      ` ${extra.length} extra, e.g. ${extra.slice(0, 3).join(', ') || '-'})`,
  );
}

function row(
  scenario: string,
  enis: number,
  runs: readonly Measured[],
  bench: BenchWorld,
): SyncRow {
  const times = runs.map((m) => m.elapsed);
  const counts = runs.map((m) => m.actions.length);
  const low = Math.min(...counts);
  const high = Math.max(...counts);
  const last = runs[runs.length - 1];
  check(last !== undefined, `${scenario}: no runs`);
  const middle = median(times);
  const typical = runs.reduce((best, run) =>
    Math.abs(run.elapsed - middle) < Math.abs(best.elapsed - middle) ? run : best,
  );
  const callTotal = typical.calls.reduce((sum, call) => sum + call.totalMs, 0);
  const callServer = typical.calls.reduce((sum, call) => sum + call.serverMs, 0);
  const group = last.summary.targetGroups[0];
  const registered = group?.registered.length ?? 0;
  const deregistered = group?.deregistered.length ?? 0;
  const byAction = countBy(last.actions);
  return {
    scenario,
    enis,
    runs: runs.length,
    medianMs: middle,
    p95Ms: percentile(times, 95),
    apiCalls: low === high ? String(low) : `${low}–${high}`,
    byAction: formatCounts(byAction),
    registered,
    deregistered,
    notes: callNotes(scenario, enis, byAction, bench.albEnis.length, registered, deregistered),
    callTimes: formatCallTimes(typical.calls),
    sdkMs: callTotal - callServer,
    otherMs: typical.elapsed - callTotal,
  };
}

/** Differences from the fewest calls this sync could make; reported, not failed on. */
function callNotes(
  scenario: string,
  enis: number,
  actual: Record<string, number>,
  albEnis: number,
  registered: number,
  deregistered: number,
): string[] {
  const expected: Record<string, number> = {
    // The ALB's type, then the zones of the target group's NLB.
    DescribeLoadBalancers: 2,
    DescribeNetworkInterfaces: Math.max(1, Math.ceil(albEnis / DISCOVERY_PAGE_SIZE)),
    DescribeTargetGroups: 1,
    DescribeTargetHealth: 1,
    RegisterTargets: Math.ceil(registered / WRITE_CHUNK_SIZE),
    DeregisterTargets: Math.ceil(deregistered / WRITE_CHUNK_SIZE),
  };
  const notes: string[] = [];
  for (const action of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const want = expected[action] ?? 0;
    const got = actual[action] ?? 0;
    if (got !== want) {
      notes.push(`${scenario} at N=${enis}: ${action} called ${got} time(s), minimum is ${want}`);
    }
  }
  return notes;
}
