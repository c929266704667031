import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { soakWork } from '../../bench/soak/budget.js';
import { ALB_ENIS, chooseChurn } from '../../bench/soak/churn.js';
import {
  callLabel,
  chooseFault,
  errorAnswer,
  FAULT_KINDS,
  type FaultKind,
  SLOW_MS,
  serviceOf,
} from '../../bench/soak/fault-plan.js';
import { type FaultProxy, startFaultProxy } from '../../bench/soak/fault-proxy.js';
import {
  checkDeregister,
  checkRegister,
  failureCode,
  judgeAnswers,
  judgeSyncRun,
  judgeTeardown,
  targetIdsOf,
  VIOLATION_KINDS,
} from '../../bench/soak/invariants.js';
import {
  MAX_RECEIVER_FAULTS,
  RUNTIME_PUT_ATTEMPTS,
  receiverScript,
} from '../../bench/soak/receiver-plan.js';
import { formatReport } from '../../bench/soak/report.js';
import { runSoak, type SoakOptions, type SoakReport } from '../../bench/soak/soak.js';
import { budgetFor } from '../support/work-budget.js';

// The soak (bench/soak): its pure parts, the fault proxy against a stand-in upstream, and a short
// soak against moto with a fixed seed and a high fault rate.

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-static-80/73e2d6bc';
const EC2_VERSION = 'Version=2016-11-15';
const ELB_VERSION = 'Version=2015-12-01';

describe('Fault plan', () => {
  it('tells the services apart by the API version of the Query request', () => {
    expect(serviceOf(new URLSearchParams(`Action=DescribeNetworkInterfaces&${EC2_VERSION}`))).toBe(
      'ec2',
    );
    expect(serviceOf(new URLSearchParams(`Action=RegisterTargets&${ELB_VERSION}`))).toBe('elbv2');
    expect(serviceOf(new URLSearchParams('Action=Other&Version=2010-05-15'))).toBeUndefined();
  });

  it('labels a call with its action and the name of the group or load balancer, never its id', () => {
    const params = new URLSearchParams({ Action: 'RegisterTargets', TargetGroupArn: TG });
    expect(callLabel('RegisterTargets', params)).toBe('RegisterTargets:web-static-80');
    expect(callLabel('DescribeNetworkInterfaces', new URLSearchParams())).toBe(
      'DescribeNetworkInterfaces',
    );
  });

  it('spoils no call at rate 0, every call at rate 1, and refuses a rate outside 0 to 1', () => {
    for (let occurrence = 1; occurrence <= 50; occurrence += 1) {
      expect(chooseFault(1, 'A', occurrence, 0)).toBeUndefined();
      expect(chooseFault(1, 'A', occurrence, 1)).toBeDefined();
    }
    expect(() => chooseFault(1, 'A', 1, 1.5)).toThrow(
      'fault rate: got 1.5; expected a share from 0 to 1',
    );
  });

  it('chooses each kind by the mix, and holds slow calls within SLOW_MS', () => {
    const only = (kind: FaultKind) =>
      Object.fromEntries(FAULT_KINDS.map((other) => [other, other === kind ? 1 : 0])) as Record<
        FaultKind,
        number
      >;
    for (const kind of FAULT_KINDS) {
      expect(chooseFault(3, 'A', 1, 1, only(kind))?.kind).toBe(kind);
    }
    for (let occurrence = 1; occurrence <= 50; occurrence += 1) {
      const fault = chooseFault(3, 'A', occurrence, 1, only('slow'));
      const delay = fault?.kind === 'slow' ? fault.delayMs : -1;
      expect(delay).toBeGreaterThanOrEqual(SLOW_MS.min);
      expect(delay).toBeLessThanOrEqual(SLOW_MS.max);
    }
  });

  it('answers each throttle and server error with the status and document the service sends', () => {
    const ec2 = errorAnswer('ec2', { kind: 'throttle' }, 'req-1');
    expect(ec2.status).toBe(503);
    expect(ec2.body).toContain(
      '<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>req-1</RequestID></Response>',
    );
    const elb = errorAnswer('elbv2', { kind: 'throttle' }, 'req-2');
    expect(elb).toStrictEqual({
      status: 400,
      code: 'Throttling',
      body: '<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>req-2</RequestId></ErrorResponse>',
    });
    const codes = (['ec2', 'elbv2'] as const).flatMap((service) =>
      ([500, 503] as const).map((status) => {
        const answer = errorAnswer(service, { kind: 'server-error', status }, 'r');
        return `${service} ${answer.status} ${answer.code}`;
      }),
    );
    expect(codes).toStrictEqual([
      'ec2 500 InternalError',
      'ec2 503 Unavailable',
      'elbv2 500 InternalFailure',
      'elbv2 503 ServiceUnavailable',
    ]);
  });
});

describe('Churn and ResponseURL plans', () => {
  it('keeps the ALB between its bounds, whatever the seed and cycle', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      let count = 3;
      for (let cycle = 1; cycle <= 30; cycle += 1) {
        const change = chooseChurn(seed, cycle, count);
        const removed = change.kind === 'scale-out' ? 0 : change.remove.length;
        const added = change.kind === 'scale-in' ? 0 : change.add;
        if (change.kind !== 'scale-out') {
          expect(new Set(change.remove).size).toBe(removed);
          expect(Math.max(...change.remove)).toBeLessThan(count);
        }
        count += added - removed;
        expect(count).toBeGreaterThanOrEqual(ALB_ENIS.min);
        expect(count).toBeLessThanOrEqual(ALB_ENIS.max);
      }
    }
    expect(() => chooseChurn(1, 1, 1)).toThrow('current: got 1 interfaces; expected 2 to 8');
  });

  it('fails a ResponseURL fewer times in a row than the runtime tries, and hangs only first', () => {
    expect(MAX_RECEIVER_FAULTS).toBeLessThan(RUNTIME_PUT_ATTEMPTS);
    for (let event = 0; event < 200; event += 1) {
      const script = receiverScript(9, `event-${event}`, 1, 0.5);
      expect(script.length).toBeGreaterThan(0);
      expect(script.length).toBeLessThanOrEqual(MAX_RECEIVER_FAULTS);
      expect(script.slice(1)).not.toContain('hang');
    }
    expect(receiverScript(9, 'event', 0, 0)).toStrictEqual([]);
    expect(() => receiverScript(9, 'event', 2, 0)).toThrow(
      'receiver fault rate: got 2; expected a share from 0 to 1',
    );
  });
});

describe('Invariants', () => {
  const alb = ['10.0.0.4', '10.0.0.5'];

  it('reads the targets of a RegisterTargets or DeregisterTargets request', () => {
    const params = new URLSearchParams(
      'Action=DeregisterTargets&Targets.member.1.Id=10.0.0.4&Targets.member.1.Port=80&Targets.member.2.Id=10.0.0.5',
    );
    expect(targetIdsOf(params)).toStrictEqual(['10.0.0.4', '10.0.0.5']);
  });

  it('flags a deregistration that would leave no serving target while the ALB has IPs', () => {
    const current = [{ id: '10.0.0.4' }, { id: '10.0.0.9', state: 'draining' }];
    expect(checkDeregister('tg', current, ['10.0.0.4'], alb).map(({ kind }) => kind)).toStrictEqual(
      ['emptied-by-deregister'],
    );
    expect(checkDeregister('tg', [...current, { id: '10.0.0.5' }], ['10.0.0.4'], alb)).toEqual([]);
    expect(checkDeregister('tg', current, ['10.0.0.4'], [])).toEqual([]);
  });

  it('flags a registration of an IP that was never the ALB', () => {
    const [finding] = checkRegister('tg', ['10.0.0.4', '10.0.9.9'], new Set(alb));
    expect(finding?.detail).toBe(
      'RegisterTargets in tg: got 10.0.9.9; expected only IPs the ALB has had',
    );
    expect(checkRegister('tg', ['10.0.0.5'], new Set(alb))).toEqual([]);
  });

  it('judges a run by what it reported and what its groups hold', () => {
    const synced = new Map([['tg', alb]]);
    const stale = new Map([['tg', ['10.0.0.4', '10.0.0.7']]]);
    const empty = new Map([['tg', []]]);
    const kinds = (findings: { kind: string }[]) => findings.map(({ kind }) => kind);
    const faulted = { faultFree: false, filledBefore: new Set(['tg']) };
    const faultFree = { faultFree: true, filledBefore: new Set(['tg']) };
    expect(judgeSyncRun({ ok: true }, synced, alb, faultFree)).toEqual([]);
    expect(kinds(judgeSyncRun({ ok: true }, stale, alb, faulted))).toStrictEqual([
      'success-not-converged',
    ]);
    expect(judgeSyncRun({ ok: false, reason: 'Throttling' }, stale, alb, faulted)).toEqual([]);
    expect(kinds(judgeSyncRun({ ok: false, reason: 'x' }, stale, alb, faultFree))).toStrictEqual([
      'not-converged-fault-free',
    ]);
    expect(kinds(judgeSyncRun({ ok: false, reason: 'x' }, empty, alb, faulted))).toStrictEqual([
      'empty-after-run',
    ]);
    // A group that was empty before the run (never filled, or torn down) was not emptied by it.
    const neverFilled = { faultFree: false, filledBefore: new Set<string>() };
    expect(judgeSyncRun({ ok: false, reason: 'x' }, empty, alb, neverFilled)).toEqual([]);
    const invalid = 'DeregisterTargets of 1 target(s) in tg failed: InvalidTargetException: gone';
    expect(kinds(judgeSyncRun({ ok: false, reason: invalid }, synced, alb, faulted))).toStrictEqual(
      ['spurious-failure'],
    );
    const unchecked = invalid.replace(
      'failed:',
      'failed, and the group could not be read again to see whether they were gone already (DescribeTargetHealth for tg failed: Throttling: x):',
    );
    expect(judgeSyncRun({ ok: false, reason: unchecked }, synced, alb, faulted)).toEqual([]);
    expect(kinds(judgeTeardown(new Map([['tg', ['10.0.0.4', '10.9.9.9']]]), alb))).toStrictEqual([
      'teardown-left-ips',
    ]);
    expect(judgeTeardown(new Map([['tg', ['10.9.9.9']]]), alb)).toEqual([]);
  });

  it('wants exactly one accepted answer per event, in time, all saying the same', () => {
    const timing = { returnedAt: 1_000, deadlineAt: 2_000 };
    const attempt = (at: number, answer: 200 | 503 | 'hang', body = 'A') => ({ at, answer, body });
    const kinds = (attempts: ReturnType<typeof attempt>[], at = timing) =>
      judgeAnswers('e', attempts, at).map(({ kind }) => kind);
    expect(kinds([attempt(100, 'hang'), attempt(500, 503), attempt(900, 200)])).toEqual([]);
    expect(kinds([attempt(100, 503)])).toStrictEqual(['answers-not-one']);
    expect(kinds([attempt(100, 200), attempt(200, 200)])).toStrictEqual(['answers-not-one']);
    expect(kinds([attempt(100, 'hang', 'B'), attempt(200, 200)])).toStrictEqual([
      'answers-disagree',
    ]);
    expect(kinds([attempt(1_500, 200)])).toStrictEqual(['answer-after-return']);
    expect(kinds([attempt(2_500, 200)], { returnedAt: 3_000, deadlineAt: 2_000 })).toStrictEqual([
      'answer-after-deadline',
    ]);
  });

  it('names the error code a failure reason gives', () => {
    expect(failureCode('DescribeTargetHealth for tg failed: Throttling: Rate exceeded')).toBe(
      'Throttling',
    );
    expect(
      failureCode('DeregisterTargets of 1 target(s) in tg failed: InvalidTargetException: x'),
    ).toBe('InvalidTarget');
    expect(failureCode('DescribeTargetHealth for tg failed: TimeoutError: socket hang up')).toBe(
      'connection',
    );
    expect(failureCode("The Create did not finish before the Lambda function's timeout")).toBe(
      'deadline',
    );
    expect(
      failureCode(
        'DeregisterTargets of 1 target(s) in tg failed, and the group could not be read again to see whether they were gone already (DescribeTargetHealth for tg failed: InternalFailure: x): InvalidTargetException: y',
      ),
    ).toBe('InternalFailure');
    expect(failureCode('something else')).toBe('other');
  });
});

/** A stand-in for the emulator: records what reaches it, answers 200 with an empty document. */
async function startUpstream(): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end('<upstream/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

describe('Fault proxy', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const proxies: FaultProxy[] = [];
  const only = (kind: FaultKind) =>
    Object.fromEntries(FAULT_KINDS.map((other) => [other, other === kind ? 1 : 0])) as Record<
      FaultKind,
      number
    >;
  const proxyFor = async (kind: FaultKind | undefined, seed = 1, rate = 1) => {
    const proxy = await startFaultProxy({
      upstream: upstream.url,
      seed,
      rate: kind === undefined ? rate : 1,
      ...(kind === undefined ? {} : { mix: only(kind) }),
    });
    proxies.push(proxy);
    return proxy;
  };
  const post = (proxy: FaultProxy, body: string) =>
    fetch(proxy.endpoint, { method: 'POST', body }).then(
      async (response) => ({ status: response.status, text: await response.text() }),
      (error: unknown) => ({ status: 0, text: String((error as Error).cause ?? error) }),
    );

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  it('answers a throttled call itself, with the service error document, and counts it', async () => {
    const proxy = await proxyFor('throttle');
    upstream.bodies.length = 0;

    const answer = await post(proxy, `Action=RegisterTargets&${ELB_VERSION}&TargetGroupArn=${TG}`);

    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/<Code>Throttling<\/Code><Message>Rate exceeded<\/Message>/);
    expect(upstream.bodies).toEqual([]);
    expect(proxy.counts().get('throttle')?.get('RegisterTargets')).toBe(1);
  });

  it('answers a server error itself with a 5xx', async () => {
    const proxy = await proxyFor('server-error');
    const answer = await post(proxy, `Action=DescribeNetworkInterfaces&${EC2_VERSION}`);
    expect([500, 503]).toContain(answer.status);
    expect(answer.text).toMatch(/<Code>(InternalError|Unavailable)<\/Code>/);
  });

  it('drops the connection before the call reaches the emulator', async () => {
    const proxy = await proxyFor('drop-before');
    upstream.bodies.length = 0;

    const answer = await post(proxy, `Action=DeregisterTargets&${ELB_VERSION}`);

    expect(answer.status).toBe(0);
    expect(upstream.bodies).toEqual([]);
  });

  it('drops the connection after the call reached the emulator', async () => {
    const proxy = await proxyFor('drop-after');
    upstream.bodies.length = 0;

    const answer = await post(proxy, `Action=DeregisterTargets&${ELB_VERSION}`);

    expect(answer.status).toBe(0);
    expect(upstream.bodies).toEqual([`Action=DeregisterTargets&${ELB_VERSION}`]);
  });

  it("answers a slow call with the emulator's answer, once held", async () => {
    const watched: string[] = [];
    const proxy = await startFaultProxy({
      upstream: upstream.url,
      seed: 1,
      rate: 1,
      mix: only('slow'),
      beforeForward: async (call) => {
        watched.push(call.label);
      },
    });
    proxies.push(proxy);

    const answer = await post(
      proxy,
      `Action=DescribeTargetHealth&${ELB_VERSION}&TargetGroupArn=${TG}`,
    );

    expect(answer).toStrictEqual({ status: 200, text: '<upstream/>' });
    expect(watched).toStrictEqual(['DescribeTargetHealth:web-static-80']);
    expect(proxy.injected).toStrictEqual([
      { label: 'DescribeTargetHealth:web-static-80', occurrence: 1, kind: 'slow' },
    ]);
  });

  it('makes the SDK see a throttling error with the code each service uses, and retry it', async () => {
    const proxy = await proxyFor('throttle');
    type SdkError = Error & { $metadata: { httpStatusCode?: number; attempts?: number } };
    const failure = (error: unknown) => error as SdkError;
    const options = { endpoint: proxy.endpoint, maxAttempts: 1 };

    const ec2Error = await new EC2Client(options)
      .send(new DescribeNetworkInterfacesCommand({}))
      .then(() => undefined, failure);
    const elbError = await new ElasticLoadBalancingV2Client(options)
      .send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }))
      .then(() => undefined, failure);
    const retried = await new ElasticLoadBalancingV2Client({ ...options, maxAttempts: 2 })
      .send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }))
      .then(() => undefined, failure);

    expect([ec2Error?.name, ec2Error?.$metadata.httpStatusCode]).toStrictEqual([
      'RequestLimitExceeded',
      503,
    ]);
    expect([elbError?.name, elbError?.$metadata.httpStatusCode]).toStrictEqual(['Throttling', 400]);
    expect(retried?.$metadata.attempts).toBe(2);
  });

  it('spoils the same calls the same way for the same seed, and others for another', async () => {
    const faultsOf = async (seed: number) => {
      const proxy = await proxyFor(undefined, seed, 0.5);
      for (let index = 0; index < 40; index += 1) {
        const action = index % 2 === 0 ? 'RegisterTargets' : 'DescribeNetworkInterfaces';
        const version = index % 2 === 0 ? ELB_VERSION : EC2_VERSION;
        await post(proxy, `Action=${action}&${version}`);
      }
      return proxy.injected.map(({ label, occurrence, kind }) => `${label}#${occurrence} ${kind}`);
    };

    const first = await faultsOf(42);

    expect(first.length).toBeGreaterThan(0);
    expect(await faultsOf(42)).toStrictEqual(first);
    expect(await faultsOf(43)).not.toStrictEqual(first);
  });
});

describe('Short soak', () => {
  // A fixed seed, a high fault rate: every kind of fault is injected, and no invariant breaks.
  const options: SoakOptions = {
    cycles: 18,
    seed: 20_261_298,
    faultRate: 0.35,
    resourceEventShare: 0.6,
    receiverFaultRate: 0.4,
    receiverHangRate: 0.08,
  };
  const work = soakWork(options);
  let report: SoakReport;

  beforeAll(
    async () => {
      report = await runSoak(options);
    },
    budgetFor({ motoStart: 1, motoStop: 1, motoCall: work.motoCalls }) + work.waitMs,
  );

  it('breaks no invariant', () => {
    const text = formatReport(report, options.cycles);
    expect(report.violations, text).toEqual([]);
    expect(report.cycles).toBe(options.cycles);
    expect(text).toContain(
      `npm run soak -- --cycles 18 --seed ${options.seed} --fault-rate ${options.faultRate}` +
        ' --settle-every 5 --resource-event-share 0.6 --receiver-fault-rate 0.4' +
        ' --receiver-hang-rate 0.08',
    );
    for (const kind of VIOLATION_KINDS) expect(text).toContain(`| ${kind} | 0 |`);
  });

  it('injects every kind of fault, on the API and on the ResponseURL', () => {
    for (const kind of FAULT_KINDS) {
      expect([kind, report.faults.get(kind)?.size ?? 0]).not.toEqual([kind, 0]);
    }
    for (const answer of ['hang', '500', '503']) {
      expect([answer, report.receiverFaults.get(answer) ?? 0]).not.toEqual([answer, 0]);
    }
  });

  it('runs the sync, and each custom resource through its life, with failures among them', () => {
    const kinds = [...report.runs.keys()];
    expect(kinds).toEqual(
      expect.arrayContaining([
        'scheduled',
        'eni-change',
        'fault-free',
        'target-group-sync Create',
        'nlb-private-ips Create',
      ]),
    );
    expect([...report.runs.values()].some(({ failure }) => failure > 0)).toBe(true);
  });
});
