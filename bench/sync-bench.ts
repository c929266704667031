import { Logger } from '@aws-lambda-powertools/logger';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseBinding } from '../functions/shared/binding.js';
import { createLogger, createMetrics, readEnvironment } from '../functions/shared/observability.js';
import {
  runSync,
  type SyncSummary,
  WRITE_CHUNK_SIZE,
} from '../functions/target-group-sync/sync.js';
import { lambdaContext } from '../test/support/lambda-context.js';
import type { MotoServer } from '../test/support/moto-server.js';
import type { RecordingProxy } from '../test/support/recording-proxy.js';
import { type CallTimer, formatCallTimes, sequentialWaves, type TimedCall } from './call-timer.js';
import {
  check,
  countBy,
  countingStdout,
  formatCounts,
  median,
  percentile,
  timed,
} from './stats.js';
import { type BenchWorld, buildWorld, churn } from './world.js';

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
  /** Calls one after another (see sequentialWaves); `min–max` over repeated runs. */
  readonly waves: string;
  /** Bytes the function printed (log lines and the EMF metrics line); median over the runs. */
  readonly logBytes: number;
  /** The same, of one more run with the log level at DEBUG (steady state only). */
  readonly debugLogBytes?: number;
  readonly notes: string[];
  /** Of the run whose wall time is the median: per action, total ms (server ms). */
  readonly callTimes: string;
  /** That run's SDK-side time (serialise, sign, parse): all calls' total minus server. */
  readonly sdkMs: number;
  /** That run's time outside any AWS call: planning, summaries, logging. */
  readonly otherMs: number;
}

/** The function's logger as POWERTOOLS_LOG_LEVEL=DEBUG (the template's LogLevel) makes it. */
function debugLogger() {
  const logger = new Logger({ serviceName: 'target-group-sync', logLevel: 'DEBUG' });
  logger.addContext(lambdaContext());
  return logger;
}

interface Measured {
  readonly summary: SyncSummary;
  readonly elapsed: number;
  readonly actions: string[];
  readonly calls: TimedCall[];
  readonly logBytes: number;
}

export interface SyncBenchContext {
  readonly moto: MotoServer;
  readonly proxy: RecordingProxy;
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly timer: CallTimer;
  readonly progress: (line: string) => void;
}

/**
 * The function's own logger and metrics, at their default settings, in one warm container: the
 * handler's dependencies, for its run (runSync: the sync, then its metrics published).
 */
export function warmContainer(context: Pick<SyncBenchContext, 'ec2' | 'elbv2'>) {
  const logger = createLogger('target-group-sync');
  logger.addContext(lambdaContext());
  return {
    ec2: context.ec2,
    elbv2: context.elbv2,
    logger,
    metrics: createMetrics('target-group-sync', readEnvironment(process.env)),
    checkedLoadBalancers: new Set<string>(),
  };
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
      TargetGroupArns: bench.targetGroups.map(({ arn }) => arn),
    });
    const deps = warmContainer(context);
    const measure = async (level?: 'DEBUG'): Promise<Measured> => {
      const runDeps = level ? { ...deps, logger: debugLogger() } : deps;
      proxy.clear();
      timer.clear();
      const { value, bytes } = await countingStdout(() =>
        timed(() => runSync(binding, runDeps, new AbortController().signal)),
      );
      return {
        summary: value.value,
        elapsed: value.elapsed,
        actions: proxy.actions(),
        calls: [...timer.calls],
        logBytes: bytes,
      };
    };
    const rows: SyncRow[] = [];
    const label = `N=${albEniCount}`;

    // 1. First sync: the group is empty, every ALB IP is registered.
    const first = await measure();
    const expectedFirst = bench.albEnis.map(({ ip }) => ip);
    verifyWrites(bench, `${label} first sync`, first.summary, expectedFirst, []);
    await verifyGroup(`${label} first sync`, bench);
    rows.push(row('first sync', albEniCount, [first], bench));
    progress(`${label}: first sync ${first.elapsed.toFixed(0)} ms, ${first.actions.length} calls`);

    // 2. Steady state: nothing changed, nothing may be written.
    const steady: Measured[] = [];
    for (let run = 0; run < STEADY_RUNS; run += 1) {
      const measured = await measure();
      verifyWrites(bench, `${label} steady state run ${run + 1}`, measured.summary, [], []);
      steady.push(measured);
    }
    // And one more at DEBUG level, for what troubleshooting costs (reported, not in the median).
    const debug = await measure('DEBUG');
    verifyWrites(bench, `${label} steady state at DEBUG`, debug.summary, [], []);
    rows.push({
      ...row('steady state', albEniCount, steady, bench),
      debugLogBytes: debug.logBytes,
    });
    progress(
      `${label}: steady state median ${median(steady.map((m) => m.elapsed)).toFixed(0)} ms ` +
        `over ${STEADY_RUNS} runs`,
    );

    // 3. Churn: ~10% of the ALB's interfaces replaced by new ones.
    const churnCount = Math.max(1, Math.round(albEniCount / 10));
    const { removed, added } = await churn(bench, churnCount);
    const churned = await measure();
    verifyWrites(
      bench,
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
    verifyWrites(bench, `${label} steady state after churn`, after.summary, [], []);
    return rows;
  } finally {
    bench.world.ec2.destroy();
    bench.world.elbv2.destroy();
  }
}

/** The summary registered exactly `register` and deregistered exactly `deregister` (IPs). */
function verifyWrites(
  bench: BenchWorld,
  what: string,
  summary: SyncSummary,
  register: readonly string[],
  deregister: readonly string[],
): void {
  check(
    summary.targetGroups.length === bench.targetGroups.length,
    `${what}: expected ${bench.targetGroups.length} target groups in the summary`,
  );
  bench.targetGroups.forEach(({ arn, port }, index) => {
    const group = summary.targetGroups[index];
    check(group?.targetGroupArn === arn, `${what}: no summary for target group ${arn}`);
    check(
      group.status === 'synced',
      `${what}: target group status ${group.status}${group.error ? ` (${group.error})` : ''}`,
    );
    const same = (label: string, actual: readonly string[], expectedIps: readonly string[]) => {
      const expected = expectedIps.map((ip) => `${ip}:${port}`).sort();
      const got = [...actual].sort();
      check(
        got.length === expected.length && got.every((key, i) => key === expected[i]),
        `${what}: port ${port} ${label} ${got.length} target(s), expected ${expected.length}` +
          ` (first got: ${got.slice(0, 3).join(', ') || 'none'};` +
          ` first expected: ${expected.slice(0, 3).join(', ') || 'none'})`,
      );
    };
    same('registered', group.registered, register);
    same('deregistered', group.deregistered, deregister);
  });
}

/** Each target group, read from the emulator directly, holds exactly the ALB's current IPs. */
async function verifyGroup(what: string, bench: BenchWorld): Promise<void> {
  for (const { arn, port } of bench.targetGroups) {
    const targets = new Set(await bench.world.targets(arn));
    const expected = bench.albEnis.map(({ ip }) => `${ip}:${port}`);
    const missing = expected.filter((key) => !targets.has(key));
    const extra = [...targets].filter((key) => !expected.includes(key));
    check(
      missing.length === 0 && extra.length === 0,
      `${what}: port ${port} group holds ${targets.size} target(s), expected ${expected.length}` +
        ` (${missing.length} missing, e.g. ${missing.slice(0, 3).join(', ') || '-'};` +
        ` ${extra.length} extra, e.g. ${extra.slice(0, 3).join(', ') || '-'})`,
    );
  }
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
  const total = (key: 'registered' | 'deregistered') =>
    last.summary.targetGroups.reduce((sum, group) => sum + group[key].length, 0);
  const registered = total('registered');
  const deregistered = total('deregistered');
  const byAction = countBy(last.actions);
  const waves = runs.map((m) => sequentialWaves(m.calls));
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
    waves:
      Math.min(...waves) === Math.max(...waves)
        ? String(waves[0])
        : `${Math.min(...waves)}–${Math.max(...waves)}`,
    logBytes: median(runs.map((m) => m.logBytes)),
    notes: callNotes(scenario, enis, byAction, {
      albEnis: bench.albEnis.length,
      groups: bench.targetGroups.length,
      registered,
      deregistered,
      firstInContainer: scenario === 'first sync',
    }),
    callTimes: formatCallTimes(typical.calls),
    sdkMs: callTotal - callServer,
    otherMs: typical.elapsed - callTotal,
  };
}

/**
 * Differences from the fewest calls this sync could make; reported, not failed on. Per run: one
 * DescribeTargetGroups for every group, one DescribeTargetHealth per group, one DescribeLoadBalancers
 * for the NLB's zones (and one more for the ALB's type, only in a container's first run), and
 * discovery's pages. Writes go in chunks per group.
 */
function callNotes(
  scenario: string,
  enis: number,
  actual: Record<string, number>,
  run: {
    albEnis: number;
    groups: number;
    registered: number;
    deregistered: number;
    firstInContainer: boolean;
  },
): string[] {
  const perGroup = (targets: number) => Math.ceil(targets / run.groups / WRITE_CHUNK_SIZE);
  const expected: Record<string, number> = {
    DescribeLoadBalancers: run.firstInContainer ? 2 : 1,
    DescribeNetworkInterfaces: Math.max(1, Math.ceil(run.albEnis / DISCOVERY_PAGE_SIZE)),
    DescribeTargetGroups: 1,
    DescribeTargetHealth: run.groups,
    RegisterTargets: run.groups * perGroup(run.registered),
    DeregisterTargets: run.groups * perGroup(run.deregistered),
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
