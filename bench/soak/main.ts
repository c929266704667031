import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { runSoak } from './soak.js';

/**
 * `npm run soak -- --cycles N --seed S --fault-rate R`: the long soak. Prints Markdown tables, and
 * exits 1 on any invariant violation or error. Ctrl-C stops after the cycle in progress, stops the
 * servers, and prints what was done.
 */
const USAGE =
  'usage: npm run soak -- [--cycles N (300)] [--seed S (random)] [--fault-rate R (0.2)] [--settle-every N (5)]' +
  ' [--resource-event-share R (0.5)] [--receiver-fault-rate R (0.3)] [--receiver-hang-rate R (0.05)]';

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `--${name}: got ${JSON.stringify(text)}; expected a whole number of at least 1`,
    );
  }
  return value;
}

function share(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`--${name}: got ${JSON.stringify(text)}; expected a share from 0 to 1`);
  }
  return value;
}

async function main(): Promise<number> {
  let options: ReturnType<typeof readOptions>;
  try {
    options = readOptions();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error(USAGE);
    return 2;
  }
  const stopping = new AbortController();
  const onSignal = () => {
    if (stopping.signal.aborted) return;
    console.error('Stopping after the cycle in progress...');
    stopping.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  console.error(
    `Soak: ${options.cycles} cycles, seed ${options.seed}, fault rate ${options.faultRate}`,
  );
  try {
    const report = await runSoak({
      ...options,
      signal: stopping.signal,
      onProgress(cycle, progress) {
        if (cycle % 25 === 0) {
          console.error(
            `cycle ${cycle}/${options.cycles}: ${progress.awsCalls} AWS calls, ${progress.violations.length} violation(s), ${(progress.elapsedMs / 1000).toFixed(0)} s`,
          );
        }
      },
    });
    console.log(formatReport(report, options.cycles));
    return report.violations.length === 0 && !report.interrupted ? 0 : 1;
  } catch (error) {
    console.error('The soak failed:', error);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      cycles: { type: 'string' },
      seed: { type: 'string' },
      'fault-rate': { type: 'string' },
      'settle-every': { type: 'string' },
      'resource-event-share': { type: 'string' },
      'receiver-fault-rate': { type: 'string' },
      'receiver-hang-rate': { type: 'string' },
    },
    strict: true,
  });
  const seedText = values.seed;
  const seed = seedText === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(seedText);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new RangeError(
      `--seed: got ${JSON.stringify(seedText)}; expected a whole number from 0 to 4294967295`,
    );
  }
  return {
    cycles: wholeNumber('cycles', values.cycles, 300),
    seed,
    faultRate: share('fault-rate', values['fault-rate'], 0.2),
    settleEvery: wholeNumber('settle-every', values['settle-every'], 5),
    resourceEventShare: share('resource-event-share', values['resource-event-share'], 0.5),
    receiverFaultRate: share('receiver-fault-rate', values['receiver-fault-rate'], 0.3),
    receiverHangRate: share('receiver-hang-rate', values['receiver-hang-rate'], 0.05),
  };
}

process.exitCode = await main();
