import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * Where a sync's wall time goes, per AWS call: `totalMs` from `send` to the parsed result, and
 * `serverMs` from the request leaving the SDK to the response headers (proxy plus emulator; on
 * loopback the body follows at once). The rest, total minus server, is the SDK's own work:
 * serialising, signing and above all parsing the XML answer.
 */
export interface TimedCall {
  readonly action: string;
  /** When the call was sent and when its result was parsed (performance.now()). */
  readonly startMs: number;
  readonly endMs: number;
  readonly totalMs: number;
  readonly serverMs: number;
}

export interface CallTimer {
  readonly calls: TimedCall[];
  clear(): void;
}

export function attachCallTimer(clients: readonly (EC2Client | ElasticLoadBalancingV2Client)[]) {
  const calls: TimedCall[] = [];
  const serverTimes = new WeakMap<object, number>();
  for (const client of clients) {
    // Two separate stacks of the same shape; the casts keep one middleware for both clients.
    const stack = client.middlewareStack as EC2Client['middlewareStack'];
    stack.add(
      (next, context) => async (args) => {
        const start = performance.now();
        const result = await next(args);
        const end = performance.now();
        calls.push({
          action: (context.commandName ?? '(unknown)').replace(/Command$/, ''),
          startMs: start,
          endMs: end,
          totalMs: end - start,
          serverMs: serverTimes.get(context) ?? Number.NaN,
        });
        return result;
      },
      { step: 'initialize', priority: 'high', name: 'benchTotalTimer' },
    );
    stack.add(
      (next, context) => async (args) => {
        const start = performance.now();
        const result = await next(args);
        serverTimes.set(context, performance.now() - start);
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'benchServerTimer' },
    );
  }
  const timer: CallTimer = {
    calls,
    clear: () => {
      calls.length = 0;
    },
  };
  return timer;
}

/** `DescribeTargetHealth 812 (790)`: total ms and, in brackets, server ms, summed per action. */
export function formatCallTimes(calls: readonly TimedCall[]): string {
  const sums = new Map<string, { total: number; server: number }>();
  for (const call of calls) {
    const sum = sums.get(call.action) ?? { total: 0, server: 0 };
    sum.total += call.totalMs;
    sum.server += call.serverMs;
    sums.set(call.action, sum);
  }
  return [...sums]
    .map(([action, sum]) => `${action} ${sum.total.toFixed(0)} (${sum.server.toFixed(0)})`)
    .join(', ');
}

/**
 * How many calls happened one after another: the longest chain of calls in which each was sent only
 * after the one before it had returned. Calls that overlap in time count once, so a run that sends
 * its reads together and then its writes makes 2 waves, whatever the number of calls.
 */
export function sequentialWaves(calls: readonly TimedCall[]): number {
  const byStart = [...calls].sort((a, b) => a.startMs - b.startMs);
  const depth: number[] = [];
  byStart.forEach((call, index) => {
    let before = 0;
    for (let other = 0; other < index; other += 1) {
      const earlier = byStart[other];
      if (earlier && earlier.endMs <= call.startMs) before = Math.max(before, depth[other] ?? 0);
    }
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}
