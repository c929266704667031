import { intBetween, randomFor } from '../prng.js';
import type { ReceiverAnswer } from './response-url-receiver.js';

/**
 * How the ResponseURL answers one custom-resource event: a pure choice of the seed and the event.
 *
 * The runtime (functions/shared/custom-resource-response.ts, putResponse) makes at most 6 attempts,
 * retries 5xx and attempts that time out, and gives one attempt at most 10 s, or less when less time
 * is left. A receiver that failed every attempt would win, whatever the runtime did, so an event
 * gets at most MAX_RECEIVER_FAULTS faults in a row, fewer than the attempts; after them it answers
 * 200. A hang costs the runtime a whole attempt timeout, so an event hangs at most once, and only as
 * its first answer: the event's deadline (RESOURCE_DEADLINE_MS in soak.ts) leaves time for the
 * retry after it.
 */
export const RUNTIME_PUT_ATTEMPTS = 6;
export const MAX_RECEIVER_FAULTS = 3;
/** The runtime's longest attempt: what one hang costs. */
export const RUNTIME_ATTEMPT_TIMEOUT_MS = 10_000;

export function receiverScript(
  seed: number,
  eventId: string,
  faultRate: number,
  hangRate: number,
): ReceiverAnswer[] {
  for (const [name, rate] of [
    ['receiver fault rate', faultRate],
    ['receiver hang rate', hangRate],
  ] as const) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new RangeError(`${name}: got ${rate}; expected a share from 0 to 1`);
    }
  }
  const random = randomFor(seed, `receiver:${eventId}`);
  const script: ReceiverAnswer[] = [];
  if (random() < hangRate) script.push('hang');
  if (random() < faultRate) {
    const count = intBetween(random, 1, MAX_RECEIVER_FAULTS - script.length);
    for (let index = 0; index < count; index += 1) script.push(random() < 0.5 ? 500 : 503);
  }
  return script;
}
