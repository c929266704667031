/**
 * Deterministic randomness for the soak and the benchmark. In the soak, every decision draws from
 * a generator seeded by the run's seed and a key that names the decision
 * (`fault:DeregisterTargets:soak-80#3`, `churn:12`), not from one shared stream: concurrent calls
 * reach the proxy in an order that varies from run to run, and a per-key stream gives each call the
 * same fate whatever arrived before it.
 */

/** A 32-bit hash of text (FNV-1a), to turn a seed and a key into a generator's state. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A generator of floats in [0, 1) (mulberry32): small, fast, and the same on every platform. */
export type Random = () => number;

export function mulberry32(state: number): Random {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator for one decision of one seed. */
export function randomFor(seed: number, key: string): Random {
  return mulberry32(hash32(`${seed}\n${key}`));
}

/** A whole number in [min, max], inclusive. */
export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** One of the entries, chosen in proportion to its weight. */
export function weighted<T extends string>(
  random: Random,
  weights: Readonly<Record<T, number>>,
): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  if (!(total > 0)) {
    throw new RangeError(`weights: got a total of ${total}; expected some weight above 0`);
  }
  let left = random() * total;
  for (const [value, weight] of entries) {
    left -= weight;
    if (left < 0) return value;
  }
  return (entries.at(-1) as [T, number])[0];
}
