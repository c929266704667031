/**
 * Our model of the published alternative: a scheduled function that finds the ALB's IPs by
 * resolving its DNS name, as in "Using AWS Lambda to enable static IP addresses for Application
 * Load Balancers" (https://aws.amazon.com/blogs/networking-and-content-delivery/using-aws-lambda-to-enable-static-ip-addresses-for-application-load-balancers/),
 * with the settings its template ships: MAX_LOOKUP_PER_INVOCATION 50 and
 * INVOCATIONS_BEFORE_DEREGISTRATION 3, its state kept between runs (the design keeps it in an S3
 * object). The model is ours, written from that description, not that code:
 *   - one lookup answers at most ANSWER_SIZE of the ALB's current IPs, chosen at random (Route 53
 *     answers an ALB's name with up to 8 addresses);
 *   - a run makes up to `maxLookups` lookups and stops early after an answer shorter than
 *     ANSWER_SIZE, which held every IP the name has;
 *   - an IP seen is registered at once; a registered IP is deregistered once it has been missing
 *     from `missingRunsBeforeDeregister` runs in a row, and its count starts again when it is seen.
 * Pure: the caller reads the target group, applies the plan, and keeps the state.
 */
import type { Random } from './prng.js';

export const ANSWER_SIZE = 8;

export interface DnsSamplingSettings {
  readonly maxLookups: number;
  readonly missingRunsBeforeDeregister: number;
}

export const PUBLISHED_SETTINGS: DnsSamplingSettings = {
  maxLookups: 50,
  missingRunsBeforeDeregister: 3,
};

/** Per registered IP, the runs in a row it has been missing from the answers. */
export type MissingRuns = ReadonlyMap<string, number>;

export interface DnsLookups {
  /** Every IP the answers held. */
  readonly seen: ReadonlySet<string>;
  readonly lookups: number;
}

/** One DNS answer: every IP when there are ANSWER_SIZE or fewer, else ANSWER_SIZE of them at random. */
export function dnsAnswer(liveIps: readonly string[], random: Random): string[] {
  if (liveIps.length <= ANSWER_SIZE) return [...liveIps];
  // A partial Fisher-Yates shuffle: ANSWER_SIZE distinct IPs, each equally likely.
  const pool = [...liveIps];
  for (let index = 0; index < ANSWER_SIZE; index += 1) {
    const pick = index + Math.floor(random() * (pool.length - index));
    [pool[index], pool[pick]] = [pool[pick] as string, pool[index] as string];
  }
  return pool.slice(0, ANSWER_SIZE);
}

/** A run's lookups of the ALB's name. */
export function lookUp(
  liveIps: readonly string[],
  settings: DnsSamplingSettings,
  random: Random,
): DnsLookups {
  const seen = new Set<string>();
  let lookups = 0;
  while (lookups < settings.maxLookups) {
    const answer = dnsAnswer(liveIps, random);
    lookups += 1;
    for (const ip of answer) seen.add(ip);
    if (answer.length < ANSWER_SIZE) break;
  }
  return { seen, lookups };
}

export interface DnsSamplingPlan {
  readonly register: string[];
  readonly deregister: string[];
  /** The state to keep for the next run: registered IPs that were missing, and for how long. */
  readonly missingRuns: Map<string, number>;
}

/** What one run registers and deregisters, from what it saw, what is registered, and its state. */
export function planDnsSamplingRun(
  seen: ReadonlySet<string>,
  registered: ReadonlySet<string>,
  missingRuns: MissingRuns,
  settings: DnsSamplingSettings,
): DnsSamplingPlan {
  const register = [...seen].filter((ip) => !registered.has(ip)).sort();
  const deregister: string[] = [];
  const next = new Map<string, number>();
  for (const ip of [...registered].sort()) {
    if (seen.has(ip)) continue;
    const missing = (missingRuns.get(ip) ?? 0) + 1;
    if (missing >= settings.missingRunsBeforeDeregister) deregister.push(ip);
    else next.set(ip, missing);
  }
  return { register, deregister, missingRuns: next };
}
