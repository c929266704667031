import { intBetween, randomFor, weighted } from '../prng.js';

/**
 * How the ALB changes between runs, as AWS changes it: more nodes (scale out), fewer (scale in), or
 * nodes replaced (old interfaces deleted, new ones made). A pure choice of the seed and the cycle;
 * the runner applies it to the emulator directly, never through the faults.
 */
export type Churn =
  | { readonly kind: 'scale-out'; readonly add: number }
  | { readonly kind: 'scale-in'; readonly remove: readonly number[] }
  | { readonly kind: 'replace'; readonly remove: readonly number[]; readonly add: number };

/** An ALB has a node in each of its zones at the least, and the soak keeps it small. */
export const ALB_ENIS = { min: 2, max: 8 } as const;

/** Which interfaces (by index into the current list) a change removes: `count` distinct ones. */
function pick(random: () => number, total: number, count: number): number[] {
  const indices = Array.from({ length: total }, (_, index) => index);
  for (let index = total - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [indices[index], indices[other]] = [indices[other] as number, indices[index] as number];
  }
  return indices.slice(0, count).sort((a, b) => a - b);
}

export function chooseChurn(seed: number, cycle: number, current: number): Churn {
  if (!Number.isInteger(current) || current < ALB_ENIS.min || current > ALB_ENIS.max) {
    throw new RangeError(
      `current: got ${current} interfaces; expected ${ALB_ENIS.min} to ${ALB_ENIS.max}`,
    );
  }
  const random = randomFor(seed, `churn:${cycle}`);
  const canGrow = current < ALB_ENIS.max;
  const canShrink = current > ALB_ENIS.min;
  const kind = weighted(random, {
    'scale-out': canGrow ? 1 : 0,
    'scale-in': canShrink ? 1 : 0,
    replace: 1.5,
  });
  switch (kind) {
    case 'scale-out':
      return { kind, add: intBetween(random, 1, ALB_ENIS.max - current) };
    case 'scale-in':
      return { kind, remove: pick(random, current, intBetween(random, 1, current - ALB_ENIS.min)) };
    default: {
      // Now and then every node at once: the case where every registered IP goes stale.
      const count = random() < 0.15 ? current : intBetween(random, 1, Math.min(2, current));
      return { kind, remove: pick(random, current, count), add: count };
    }
  }
}
