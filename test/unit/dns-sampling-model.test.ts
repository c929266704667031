import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANSWER_SIZE,
  dnsAnswer,
  lookUp,
  PUBLISHED_SETTINGS,
  planDnsSamplingRun,
} from '../../bench/dns-sampling-model.js';
import { mulberry32 } from '../../bench/prng.js';

const ips = (count: number, third = 0) =>
  Array.from({ length: count }, (_, index) => `10.0.${third}.${index + 1}`);

describe('Benchmark: the DNS-sampling model', () => {
  it('answers every IP when the name has no more than 8, in one lookup', () => {
    // Prepare
    const live = ips(ANSWER_SIZE - 1);

    // Act
    const lookups = lookUp(live, PUBLISHED_SETTINGS, mulberry32(1));

    // Assess
    expect(dnsAnswer(live, mulberry32(1))).toEqual(live);
    expect(lookups).toEqual({ seen: new Set(live), lookups: 1 });
  });

  it('answers 8 distinct live IPs per lookup, and makes every lookup allowed when there are more', () => {
    fc.assert(
      fc.property(fc.integer({ min: ANSWER_SIZE, max: 600 }), fc.integer(), (count, seed) => {
        const live = ips(count);
        const answer = dnsAnswer(live, mulberry32(seed));
        expect(new Set(answer).size).toBe(ANSWER_SIZE);
        expect(answer.every((ip) => live.includes(ip))).toBe(true);
        const { seen, lookups } = lookUp(
          live,
          { ...PUBLISHED_SETTINGS, maxLookups: 7 },
          mulberry32(seed),
        );
        expect(lookups).toBe(7);
        expect(seen.size).toBeGreaterThanOrEqual(ANSWER_SIZE);
        expect(seen.size).toBeLessThanOrEqual(Math.min(count, 7 * ANSWER_SIZE));
        expect([...seen].every((ip) => live.includes(ip))).toBe(true);
      }),
    );
  });

  it('misses some of a large ALB in a run, however lucky: 50 lookups see at most 400 IPs', () => {
    // Act
    const { seen } = lookUp(ips(1000), PUBLISHED_SETTINGS, mulberry32(7));

    // Assess
    expect(seen.size).toBeLessThanOrEqual(PUBLISHED_SETTINGS.maxLookups * ANSWER_SIZE);
    expect(seen.size).toBeGreaterThan(ANSWER_SIZE);
  });

  it('gives the same answers for the same seed, and other answers for another', () => {
    const live = ips(200);
    const run = (seed: number) => [...lookUp(live, PUBLISHED_SETTINGS, mulberry32(seed)).seen];
    expect(run(13)).toEqual(run(13));
    expect(run(13)).not.toEqual(run(14));
    const random = mulberry32(99);
    const draws = Array.from({ length: 1000 }, random);
    expect(draws.every((draw) => draw >= 0 && draw < 1)).toBe(true);
    expect(Math.min(...draws)).toBeLessThan(0.01);
    expect(Math.max(...draws)).toBeGreaterThan(0.99);
  });

  it('registers what it saw and nothing else, at once', () => {
    // Act
    const plan = planDnsSamplingRun(
      new Set(['10.0.0.2', '10.0.0.1']),
      new Set(['10.0.0.1']),
      new Map(),
      PUBLISHED_SETTINGS,
    );

    // Assess
    expect(plan).toEqual({ register: ['10.0.0.2'], deregister: [], missingRuns: new Map() });
  });

  it('deregisters an IP only after it was missing from 3 runs in a row, and forgets a miss when it is seen', () => {
    // Prepare
    const registered = new Set(['10.0.0.1', '10.0.0.2']);
    const nothingSeen = new Set<string>();

    // Act
    const first = planDnsSamplingRun(nothingSeen, registered, new Map(), PUBLISHED_SETTINGS);
    const second = planDnsSamplingRun(
      new Set(['10.0.0.2']),
      registered,
      first.missingRuns,
      PUBLISHED_SETTINGS,
    );
    const third = planDnsSamplingRun(
      nothingSeen,
      registered,
      second.missingRuns,
      PUBLISHED_SETTINGS,
    );

    // Assess
    expect(first.deregister).toEqual([]);
    expect(first.missingRuns).toEqual(
      new Map([
        ['10.0.0.1', 1],
        ['10.0.0.2', 1],
      ]),
    );
    expect(second.missingRuns).toEqual(new Map([['10.0.0.1', 2]]));
    expect(third.deregister).toEqual(['10.0.0.1']);
    expect(third.missingRuns).toEqual(new Map([['10.0.0.2', 1]]));
  });
});
