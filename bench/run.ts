/**
 * `npm run bench`: how finding the ALB's IPs by exact ENI description compares with sampling its DNS
 * name over one ALB's history, how target-group-sync scales with the ALB's size, and what its bundle
 * costs at cold start. Everything runs on loopback against a moto emulator behind the recording
 * proxy, which counts the AWS calls. Results go to stdout as Markdown tables, and to
 * docs/bench/results.md with the chart docs/bench/churn-comparison.svg, which the README quotes;
 * progress goes to stderr. Every measured run is checked, and a wrong result fails the benchmark
 * with a non-zero exit code (and leaves the files as they were).
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type MotoServer, startMotoServer } from '../test/support/moto-server.js';
import { type RecordingProxy, startRecordingProxy } from '../test/support/recording-proxy.js';
import { benchColdStart, snapshotBundles } from './bundle-bench.js';
import { attachCallTimer } from './call-timer.js';
import { churnChartSvg } from './churn-chart.js';
import { type ChurnComparison, compareChurn, HISTORY } from './churn-comparison.js';
import { churnReport } from './churn-report.js';
import { BenchFailure, markdownTable, ms } from './stats.js';
import { benchSyncAt, STEADY_RUNS, type SyncRow } from './sync-bench.js';
import { OTHER_ENIS } from './world.js';

// Fake credentials and a region for the SDK: every call goes to the emulator on loopback.
process.env.AWS_REGION ||= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ||= 'testing';
process.env.AWS_SECRET_ACCESS_KEY ||= 'testing';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const ALB_ENI_COUNTS = [10, 100, 1000];
/** The DNS-sampling model's random answers: fixed, so the chart and tables change only with the code. */
const SEED = 13;
/** The chart's names for HISTORY's steps, in its order. */
const SHORT_STEP_LABELS = ['10 IPs', '→ 100', '→ 400', '→ 50', '10 replaced', 'neighbour'];
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const progress = (line: string) => console.error(`[bench] ${line}`);

async function main(): Promise<void> {
  const started = performance.now();
  // Taken first: the bundles `npm run bench` just built, whatever rebuilds dist/ meanwhile.
  const snapshot = snapshotBundles(join(root, 'dist'));
  try {
    const { syncRows, churn } = await benchSync();
    progress(`cold starts of ${snapshot.bundles.length} bundle(s), fresh processes each`);
    const bundleLines = await benchColdStart(snapshot, progress);
    const report = reportOf(churn, syncRows, bundleLines, performance.now() - started);
    console.log(report);
    const docs = join(root, 'docs', 'bench');
    mkdirSync(docs, { recursive: true });
    writeFileSync(join(docs, 'results.md'), `${RESULTS_HEADER}\n${report}\n`);
    writeFileSync(
      join(docs, 'churn-comparison.svg'),
      await churnChartSvg(churn, SHORT_STEP_LABELS),
    );
    progress('wrote docs/bench/results.md and docs/bench/churn-comparison.svg');
  } finally {
    snapshot.remove();
  }
}

const RESULTS_HEADER =
  '# Benchmark results\n\nWritten by `npm run bench` (bench/run.ts); the README quotes it. ' +
  'Run it again to measure your machine.\n';

/**
 * The churn comparison, then every sync scenario at every size, with moto and the proxy stopped
 * however it ends.
 */
async function benchSync(): Promise<{ syncRows: SyncRow[]; churn: ChurnComparison }> {
  progress('starting moto_server and the recording proxy');
  let moto: MotoServer | undefined;
  let proxy: RecordingProxy | undefined;
  let ec2: EC2Client | undefined;
  let elbv2: ElasticLoadBalancingV2Client | undefined;
  const rows: SyncRow[] = [];
  try {
    moto = await startMotoServer();
    proxy = await startRecordingProxy(moto.endpoint);
    ec2 = new EC2Client({ endpoint: proxy.endpoint });
    elbv2 = new ElasticLoadBalancingV2Client({ endpoint: proxy.endpoint });
    const timer = attachCallTimer([ec2, elbv2]);
    progress(`moto on ${moto.endpoint}, proxy on ${proxy.endpoint}`);
    // Warm the clients (credentials, region, endpoint, first connection) before any measured run.
    await elbv2.send(new DescribeLoadBalancersCommand({}));
    await ec2.send(new DescribeNetworkInterfacesCommand({}));
    const context = { moto, proxy, ec2, elbv2, timer, progress };
    progress(`churn comparison: ${HISTORY.length} changes of one ALB, seed ${SEED}`);
    const churn = await compareChurn(context, SEED);
    for (const count of ALB_ENI_COUNTS) rows.push(...(await benchSyncAt(context, count)));
    return { syncRows: rows, churn };
  } finally {
    ec2?.destroy();
    elbv2?.destroy();
    await proxy?.stop().catch((error) => progress(`stopping the proxy failed: ${error}`));
    await moto?.stop().catch((error) => progress(`stopping moto failed: ${error}`));
    progress('moto_server and the proxy stopped');
  }
}

function reportOf(
  churn: ChurnComparison,
  syncRows: SyncRow[],
  bundleLines: string[],
  elapsed: number,
): string {
  const cpu = cpus();
  const out: string[] = [];
  out.push("## Finding the ALB's IPs: exact ENI description against DNS sampling", '');
  out.push('![churn comparison](churn-comparison.svg)', '');
  out.push(...churnReport(churn));
  out.push(
    '',
    '## target-group-sync at scale: one sync against moto (through the recording proxy)',
    '',
  );
  out.push(
    markdownTable(
      [
        'scenario',
        'ENIs',
        'runs',
        'median ms',
        'p95 ms',
        'API calls',
        'waves',
        'calls by action',
        'registered',
        'deregistered',
        'log bytes',
        'at DEBUG',
      ],
      syncRows.map((row) => [
        row.scenario,
        String(row.enis),
        String(row.runs),
        ms(row.medianMs),
        row.runs > 1 ? ms(row.p95Ms) : '–',
        row.apiCalls,
        row.waves,
        row.byAction,
        String(row.registered),
        String(row.deregistered),
        String(row.logBytes),
        row.debugLogBytes === undefined ? '–' : String(row.debugLogBytes),
      ]),
    ),
  );
  out.push(
    '',
    `ENIs: the ALB's network interfaces, among ${OTHER_ENIS.toLocaleString('en')} other ` +
      'interfaces in the same Region (a neighbour ALB whose name starts the same, an ALB of the ' +
      'same name with another id, an NLB, instances) that discovery must skip. ' +
      'Two target groups (ports 80 and 443); registered and deregistered count both. ' +
      'Waves: calls one after another (calls that overlap in time count once). ' +
      'Log bytes: what the function printed at the default log level (INFO), the EMF metrics ' +
      'line included, median over the runs; at DEBUG: one more steady-state run with the log ' +
      'level at DEBUG. ' +
      `Steady state: ${STEADY_RUNS} runs, p95 by nearest rank (the slowest of ${STEADY_RUNS}). ` +
      'Wall time includes the loopback proxy and moto, so it measures the emulator as much as ' +
      'the code; the call counts are the portable result.',
  );
  out.push('', '### Where the time goes (the run with the median wall time)', '');
  out.push(
    markdownTable(
      ['scenario', 'ENIs', 'ms per call: total (server)', 'SDK ms', 'other ms'],
      syncRows.map((row) => [
        row.scenario,
        String(row.enis),
        row.callTimes,
        ms(row.sdkMs),
        ms(row.otherMs),
      ]),
    ),
  );
  out.push(
    '',
    'total: from send to parsed result; server: request sent to response headers (proxy + moto); ' +
      'SDK: the sum of total minus server (serialise, sign, parse XML); other: wall time minus ' +
      'the sum of the calls (planning, summary; below zero when calls ran at the same time).',
  );
  const notes = syncRows.flatMap((row) => row.notes);
  out.push(
    '',
    notes.length === 0
      ? 'API calls: every sync made the fewest calls possible (1 DescribeTargetGroups for both ' +
          'groups, 1 DescribeTargetHealth per group, 1 DescribeLoadBalancers for the NLB and, in ' +
          "a container's first run only, 1 for the ALB; writes in chunks of 100)."
      : `API calls above the minimum:\n${notes.map((note) => `- ${note}`).join('\n')}`,
  );

  out.push('', ...bundleLines);
  out.push(
    '',
    `Machine: node ${process.version}, ${cpu.length} CPU(s) (${cpu[0]?.model ?? 'unknown'}), ` +
      `${platform()} ${release()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `${motoVersion()}. Bench wall time ${(elapsed / 1000).toFixed(1)} s (build excluded).`,
  );
  return out.join('\n');
}

function motoVersion(): string {
  try {
    const version = execFileSync('python3', ['-c', 'import moto; print(moto.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return `moto ${version}`;
  } catch {
    return 'moto version unknown';
  }
}

main().then(
  () => {
    process.exit(0);
  },
  (error: unknown) => {
    if (error instanceof BenchFailure) {
      console.error(`\nBENCH FAILED: ${error.message}`);
    } else {
      console.error('\nBENCH ERROR:', error);
    }
    process.exit(1);
  },
);
