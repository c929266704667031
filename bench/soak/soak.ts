import type { Context } from 'aws-lambda';
import { loadEvent } from '../../test/support/events.js';
import { lambdaContext } from '../../test/support/lambda-context.js';
import { startMotoServer } from '../../test/support/moto-server.js';
import { randomFor, weighted } from '../prng.js';
import { type Churn, chooseChurn } from './churn.js';
import type { FaultKind } from './fault-plan.js';
import { startFaultProxy } from './fault-proxy.js';
import {
  checkDeregister,
  checkRegister,
  type Finding,
  failureCode,
  judgeAnswers,
  judgeSyncRun,
  judgeTeardown,
  type Reported,
  targetIdsOf,
} from './invariants.js';
import { receiverScript } from './receiver-plan.js';
import { type ReceiverAttempt, startScriptedReceiver } from './response-url-receiver.js';
import {
  albIpsInEmulator,
  buildSoakWorld,
  groupIps,
  groupTargets,
  type SoakGroup,
  type SoakWorld,
} from './soak-world.js';

/**
 * The soak: cycles of ALB churn, each followed by runs of the functions through their real entry
 * points (functions/{target-group-sync,nlb-private-ips}/index.ts), in this process, their SDK clients
 * pointed at the fault proxy by AWS_ENDPOINT_URL, with a Lambda context whose deadline bounds each
 * run. The invariants are checked against the emulator, read directly.
 *
 * What "reports failure" means, for each way the functions are invoked:
 * - a scheduled or ENI-event run (EventBridge invokes asynchronously): the handler rejects, which
 *   Lambda records as the invocation's error (and retries); resolving with the summary is success;
 * - a custom-resource event: the Status of the answer the runtime sent, which the handler also
 *   resolves with; FAILED fails the stack operation, SUCCESS lets it go on.
 */
export interface SoakOptions {
  readonly cycles: number;
  readonly seed: number;
  /** The share of AWS calls the proxy spoils, 0 to 1. */
  readonly faultRate: number;
  /** A run without faults every this many cycles (and after the last). */
  readonly settleEvery?: number;
  /** The chance, each cycle, of a custom-resource event besides the sync. */
  readonly resourceEventShare?: number;
  /** The share of custom-resource events whose ResponseURL answers 5xx first. */
  readonly receiverFaultRate?: number;
  /** The share of custom-resource events whose ResponseURL hangs once. */
  readonly receiverHangRate?: number;
  /** Stops the soak after the cycle in progress (Ctrl-C). */
  readonly signal?: AbortSignal;
  readonly onProgress?: (cycle: number, report: SoakReport) => void;
}

/**
 * The time a Lambda context gives a scheduled run: it stops writing 5 s before (handler.ts). It
 * bounds the worst run: a few waves of calls, each retried with the SDK's backoff.
 */
export const SYNC_DEADLINE_MS = 30_000;
/**
 * The time a custom-resource event has: the runtime stops the work 10 s before and answers. It
 * leaves room, after a run of a few seconds, for one hung PUT (10 s) and the retries after it.
 */
export const RESOURCE_DEADLINE_MS = 60_000;

export type RunKind =
  | 'scheduled'
  | 'eni-change'
  | 'fault-free'
  | `target-group-sync ${RequestType}`
  | `nlb-private-ips ${RequestType}`;
type RequestType = 'Create' | 'Update' | 'Delete';

export interface Violation extends Finding {
  readonly cycle: number;
}

export interface SoakReport {
  readonly seed: number;
  readonly faultRate: number;
  /** The other settings, so that the report can say how to run the same soak again. */
  readonly settleEvery: number;
  readonly resourceEventShare: number;
  readonly receiverFaultRate: number;
  readonly receiverHangRate: number;
  cycles: number;
  interrupted: boolean;
  elapsedMs: number;
  /** Runs by kind: how many reported success and failure. */
  readonly runs: Map<RunKind, { success: number; failure: number }>;
  /** What the failed runs failed on: the error code their reason names. */
  readonly failureCodes: Map<string, number>;
  /** The first reason given for each code. */
  readonly failureSamples: Map<string, string>;
  readonly churn: Map<Churn['kind'], number>;
  faults: Map<FaultKind, Map<string, number>>;
  awsCalls: number;
  readonly receiverFaults: Map<string, number>;
  readonly violations: Violation[];
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

interface ResourceState {
  /** absent: no resource; present: made; pending-delete: CloudFormation deletes it next. */
  state: 'absent' | 'present' | 'pending-delete';
  physicalId?: string;
}

interface SentEvent {
  readonly id: string;
  readonly cycle: number;
  readonly returnedAt: number;
  readonly deadlineAt: number;
}

/** The functions' modules cache their SDK clients, so one process soaks against one proxy. */
let loadedFor: string | undefined;

function setEnvironment(endpoint: string): void {
  if (loadedFor !== undefined && loadedFor !== endpoint) {
    throw new Error(
      `AWS_ENDPOINT_URL: the functions were loaded for ${loadedFor}; expected one soak per process, since their clients are made once`,
    );
  }
  loadedFor = endpoint;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'soak';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'soak';
  process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'AlbStaticIp';
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const {
    cycles,
    seed,
    faultRate,
    settleEvery = 5,
    resourceEventShare = 0.5,
    receiverFaultRate = 0.3,
    receiverHangRate = 0.05,
  } = options;
  if (!Number.isInteger(cycles) || cycles < 1) {
    throw new RangeError(`cycles: got ${cycles}; expected a whole number of at least 1`);
  }
  if (!Number.isInteger(settleEvery) || settleEvery < 1) {
    throw new RangeError(`settleEvery: got ${settleEvery}; expected a whole number of at least 1`);
  }
  const started = performance.now();
  const report: SoakReport = {
    seed,
    faultRate,
    settleEvery,
    resourceEventShare,
    receiverFaultRate,
    receiverHangRate,
    cycles: 0,
    interrupted: false,
    elapsedMs: 0,
    runs: new Map(),
    failureCodes: new Map(),
    failureSamples: new Map(),
    churn: new Map(),
    faults: new Map(),
    awsCalls: 0,
    receiverFaults: new Map(),
    violations: [],
  };
  let cycle = 0;
  const record = (findings: readonly Finding[]) => {
    for (const finding of findings) report.violations.push({ ...finding, cycle });
  };

  // Watched state, shared with the proxy's watcher.
  const albIpHistory = new Set<string>();
  let albIps: string[] = [];
  const teardown = new Set<string>();
  let soak: SoakWorld | undefined;
  const nameOf = new Map<string, string>();

  const moto = await startMotoServer();
  const stops: (() => Promise<void>)[] = [moto.stop];
  try {
    const receiver = await startScriptedReceiver();
    stops.unshift(receiver.stop);
    const proxy = await startFaultProxy({
      upstream: moto.endpoint,
      seed,
      rate: 0,
      async beforeForward(call) {
        const arn = call.params.get('TargetGroupArn') ?? '';
        const name = nameOf.get(arn) ?? arn;
        if (call.action === 'RegisterTargets') {
          record(checkRegister(name, targetIdsOf(call.params), albIpHistory));
        } else if (call.action === 'DeregisterTargets' && soak && !teardown.has(arn)) {
          const current = await groupTargets(soak, arn);
          record(checkDeregister(name, current, targetIdsOf(call.params), albIps));
        }
      },
    });
    stops.unshift(proxy.stop);
    setEnvironment(proxy.endpoint);
    const targetGroupSync = (await import('../../functions/target-group-sync/index.js'))
      .handler as Handler;
    const nlbPrivateIps = (await import('../../functions/nlb-private-ips/index.js'))
      .handler as Handler;

    soak = await buildSoakWorld(moto.endpoint);
    const world = soak;
    for (const group of [...world.syncGroups, ...world.resourceGroups]) {
      nameOf.set(group.arn, group.name);
    }
    const refreshAlbIps = async () => {
      albIps = world.albEnis.map(({ ip }) => ip).sort();
      for (const ip of albIps) albIpHistory.add(ip);
      const inEmulator = await albIpsInEmulator(world);
      if (inEmulator.join() !== albIps.join()) {
        throw new Error(
          `the ALB's IPs in the emulator: got [${inEmulator.join(', ')}]; expected the soak's own record [${albIps.join(', ')}]`,
        );
      }
    };
    const readGroups = async (groups: readonly SoakGroup[]) =>
      new Map(
        await Promise.all(
          groups.map(async (group) => [group.name, await groupIps(world, group.arn)] as const),
        ),
      );
    const filled = (groups: ReadonlyMap<string, readonly string[]>) =>
      new Set([...groups].filter(([, ips]) => ips.length > 0).map(([name]) => name));
    const count = (kind: RunKind, reported: Reported) => {
      const runs = report.runs.get(kind) ?? { success: 0, failure: 0 };
      if (reported.ok) runs.success += 1;
      else {
        runs.failure += 1;
        const code = failureCode(reported.reason);
        report.failureCodes.set(code, (report.failureCodes.get(code) ?? 0) + 1);
        if (!report.failureSamples.has(code)) report.failureSamples.set(code, reported.reason);
      }
      report.runs.set(kind, runs);
    };
    const timed = async (deadlineMs: number, invoke: (context: Context) => Promise<unknown>) => {
      const deadlineAt = Date.now() + deadlineMs;
      const context = lambdaContext(deadlineMs);
      let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await invoke(context) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      const returnedAt = Date.now();
      if (returnedAt > deadlineAt) {
        record([
          {
            kind: 'run-overran-deadline',
            detail: `returned ${returnedAt - deadlineAt} ms after its deadline; expected before it`,
          },
        ]);
      }
      return { outcome, returnedAt, deadlineAt };
    };

    /** A scheduled or ENI-event sync of the sync groups, judged by what it reported. */
    const sync = async (kind: 'scheduled' | 'eni-change' | 'fault-free') => {
      const event = loadEvent(kind === 'eni-change' ? 'eni-change-sync' : 'scheduled-sync', {
        LoadBalancerArn: world.albArn,
        TargetGroupArns: world.syncGroups.map(({ arn }) => arn),
      });
      const filledBefore = filled(await readGroups(world.syncGroups));
      const { outcome } = await timed(SYNC_DEADLINE_MS, (context) =>
        targetGroupSync(event, context),
      );
      let reported: Reported;
      if (!outcome.ok) reported = { ok: false, reason: messageOf(outcome.error) };
      else {
        const summary = outcome.value as { targetGroups?: { status: string }[] } | undefined;
        const statuses = (summary?.targetGroups ?? []).map(({ status }) => status);
        reported =
          statuses.length === world.syncGroups.length && statuses.every((s) => s === 'synced')
            ? { ok: true }
            : { ok: false, reason: `resolved with statuses [${statuses.join(', ')}]` };
      }
      count(kind, reported);
      record(
        judgeSyncRun(reported, await readGroups(world.syncGroups), albIps, {
          faultFree: kind === 'fault-free',
          filledBefore,
        }),
      );
    };

    const sent: SentEvent[] = [];
    const resources: Record<'target-group-sync' | 'nlb-private-ips', ResourceState> = {
      'target-group-sync': { state: 'absent' },
      'nlb-private-ips': { state: 'absent' },
    };
    const propertiesOf = (fn: keyof typeof resources): Record<string, unknown> =>
      fn === 'target-group-sync'
        ? {
            LoadBalancerArn: world.albArn,
            TargetGroupArns: world.resourceGroups.map(({ arn }) => arn),
            DryRun: 'false',
          }
        : {
            LoadBalancerArn: world.nlbArn,
            SecurityGroupId: world.securityGroupId,
            Ports: ['443', '80'],
          };

    /** The next step of one resource's life, as CloudFormation would send it. */
    const resourceEvent = async (fn: keyof typeof resources) => {
      const resource = resources[fn];
      const random = randomFor(seed, `resource:${cycle}`);
      const requestType: RequestType =
        resource.state === 'absent'
          ? 'Create'
          : resource.state === 'pending-delete'
            ? 'Delete'
            : weighted(random, { Update: 3, Delete: 2 });
      const id = `${cycle}-${fn}-${requestType}`;
      const script = receiverScript(seed, id, receiverFaultRate, receiverHangRate);
      for (const answer of script) {
        const key = String(answer);
        report.receiverFaults.set(key, (report.receiverFaults.get(key) ?? 0) + 1);
      }
      const sample = loadEvent(`${fn}-${requestType.toLowerCase() as Lowercase<RequestType>}`);
      const properties = { ServiceToken: sample.ServiceToken, ...propertiesOf(fn) };
      const event = {
        ...sample,
        ResponseURL: receiver.urlFor(id, script),
        ResourceProperties: properties,
        ...(requestType === 'Create' ? {} : { PhysicalResourceId: resource.physicalId }),
        ...(requestType === 'Update' ? { OldResourceProperties: properties } : {}),
      };
      const handler = fn === 'target-group-sync' ? targetGroupSync : nlbPrivateIps;
      const filledBefore = filled(await readGroups(world.resourceGroups));
      const tearing = fn === 'target-group-sync' && requestType === 'Delete';
      if (tearing) for (const { arn } of world.resourceGroups) teardown.add(arn);
      let timing: Awaited<ReturnType<typeof timed>>;
      try {
        timing = await timed(RESOURCE_DEADLINE_MS, (context) => handler(event, context));
      } finally {
        teardown.clear();
      }
      sent.push({ id, cycle, returnedAt: timing.returnedAt, deadlineAt: timing.deadlineAt });
      const { outcome } = timing;
      const kind: RunKind = `${fn} ${requestType}`;
      const response = outcome.ok
        ? (outcome.value as
            | {
                Status?: string;
                Reason?: string;
                PhysicalResourceId?: string;
                Data?: Record<string, unknown>;
              }
            | undefined)
        : undefined;
      if (!outcome.ok || response?.Status === undefined) {
        record([
          {
            kind: 'handler-threw',
            detail: `${kind}: ${outcome.ok ? 'resolved with no response' : `threw ${messageOf(outcome.error)}`}; expected the answer it sent`,
          },
        ]);
        count(kind, { ok: false, reason: 'the handler threw' });
        return;
      }
      const reported: Reported =
        response.Status === 'SUCCESS' ? { ok: true } : { ok: false, reason: response.Reason ?? '' };
      count(kind, reported);
      resource.physicalId = response.PhysicalResourceId;
      if (requestType === 'Create') resource.state = reported.ok ? 'present' : 'pending-delete';
      if (requestType === 'Delete') resource.state = reported.ok ? 'absent' : 'pending-delete';

      if (fn === 'target-group-sync') {
        const groups = await readGroups(world.resourceGroups);
        if (requestType === 'Delete') {
          if (reported.ok) record(judgeTeardown(groups, albIps));
          else
            record(judgeSyncRun(reported, new Map(), albIps, { faultFree: false, filledBefore }));
        } else {
          record(judgeSyncRun(reported, groups, albIps, { faultFree: false, filledBefore }));
        }
        return;
      }
      if (!reported.ok) return;
      const ingress = (await world.world.ingress(world.securityGroupId)).map(
        (rule) => rule.split(' ')[0] ?? '',
      );
      const wanted = world.nlbIps.flatMap((ip) => [`${ip}/32:443`, `${ip}/32:80`]);
      if (requestType === 'Delete') {
        const left = wanted.filter((rule) => ingress.includes(rule));
        if (left.length > 0) {
          record([
            {
              kind: 'nlb-answer-wrong',
              detail: `${kind}: got rules ${left.join(', ')} after a SUCCESS Delete; expected none`,
            },
          ]);
        }
        return;
      }
      const privateIps = (response.Data?.PrivateIps as string[] | undefined) ?? [];
      const missing = wanted.filter((rule) => !ingress.includes(rule));
      if ([...privateIps].sort().join() !== [...world.nlbIps].sort().join() || missing.length > 0) {
        record([
          {
            kind: 'nlb-answer-wrong',
            detail: `${kind}: got PrivateIps [${privateIps.join(', ')}] and no rule for ${missing.join(', ') || 'none'}; expected the NLB's [${world.nlbIps.join(', ')}] and a rule for each on 443 and 80`,
          },
        ]);
      }
    };

    const churn = async (change: Churn) => {
      report.churn.set(change.kind, (report.churn.get(change.kind) ?? 0) + 1);
      if (change.kind !== 'scale-out') {
        const removing = new Set(change.remove);
        for (const eni of world.albEnis.filter((_, index) => removing.has(index))) {
          await world.world.deleteEni(eni);
        }
        world.albEnis = world.albEnis.filter((_, index) => !removing.has(index));
      }
      if (change.kind !== 'scale-in') {
        world.albEnis.push(
          ...(await world.world.loadBalancerEnis(world.albArn, world.subnetIds, change.add)),
        );
      }
      // The neighbour changes too, now and then: its new IPs must never be registered.
      if (randomFor(seed, `neighbour:${cycle}`)() < 0.3) {
        const [oldest, ...rest] = world.neighbourEnis;
        if (oldest) await world.world.deleteEni(oldest);
        world.neighbourEnis = [
          ...rest,
          ...(await world.world.loadBalancerEnis(world.neighbourArn, world.subnetIds, 1)),
        ];
      }
    };

    // The groups start in sync, as after a deployment: a run without faults fills them.
    await refreshAlbIps();
    await sync('fault-free');
    for (cycle = 1; cycle <= cycles; cycle += 1) {
      if (options.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      await churn(chooseChurn(seed, cycle, world.albEnis.length));
      await refreshAlbIps();
      proxy.setRate(faultRate);
      const random = randomFor(seed, `run:${cycle}`);
      await sync(random() < 0.6 ? 'scheduled' : 'eni-change');
      if (random() < resourceEventShare) {
        await resourceEvent(random() < 0.6 ? 'target-group-sync' : 'nlb-private-ips');
      }
      proxy.setRate(0);
      if (cycle % settleEvery === 0 || cycle === cycles) await sync('fault-free');
      report.cycles = cycle;
      report.faults = proxy.counts();
      report.awsCalls = proxy.calls();
      report.elapsedMs = performance.now() - started;
      options.onProgress?.(cycle, report);
    }
    if (report.interrupted) cycle = report.cycles;

    // Judged last, so that a request that reached a ResponseURL after its handler returned, however
    // late, is seen.
    for (const event of sent) {
      const attempts: readonly ReceiverAttempt[] = receiver.attemptsFor(event.id);
      for (const finding of judgeAnswers(event.id, attempts, event)) {
        report.violations.push({ ...finding, cycle: event.cycle });
      }
    }
    report.faults = proxy.counts();
    report.awsCalls = proxy.calls();
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    report.elapsedMs = performance.now() - started;
  }
  return report;
}
