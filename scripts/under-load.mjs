// Runs a command several times in a row beside CPU burners, the way a busy CI machine runs it, and
// prints each run's wall time and exit code: how the test suite is shown free of flakes under load.
//
//   node scripts/under-load.mjs [--runs N] [--burners N] [--keep-going] -- COMMAND [ARGS...]
//
// Defaults: 10 runs, 1 burner (a process that spins on one core), stop at the first failure. Exit
// code 0 when every run passed, 1 when one failed, 64 for a bad command line. The burners are
// stopped when the script ends, however it ends.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const USAGE =
  'usage: node scripts/under-load.mjs [--runs N] [--burners N] [--keep-going] -- COMMAND [ARGS...]';

/** The options and the command, or a message that says what is wrong with the command line. */
export function parseArguments(argv) {
  const options = { runs: 10, burners: 1, keepGoing: false, command: [] };
  const separator = argv.indexOf('--');
  const flags = separator === -1 ? argv : argv.slice(0, separator);
  options.command = separator === -1 ? [] : argv.slice(separator + 1);
  for (let i = 0; i < flags.length; i += 1) {
    const flag = flags[i];
    if (flag === '--keep-going') {
      options.keepGoing = true;
    } else if (flag === '--runs' || flag === '--burners') {
      const text = flags[i + 1];
      const value = Number(text);
      const least = flag === '--runs' ? 1 : 0;
      if (text === undefined || !Number.isInteger(value) || value < least) {
        return {
          error: `${flag}: got ${JSON.stringify(text ?? '')}; expected a whole number, ${least} or more`,
        };
      }
      options[flag === '--runs' ? 'runs' : 'burners'] = value;
      i += 1;
    } else {
      return { error: `unknown option ${JSON.stringify(flag)}` };
    }
  }
  if (options.command.length === 0) return { error: 'no command after --' };
  return { options };
}

/** Wall times as the closing line prints them: each run, then min, median and max. */
export function summarize(results) {
  const seconds = results.map((result) => result.ms / 1000);
  const sorted = [...seconds].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const failed = results.filter((result) => result.code !== 0).length;
  return [
    `runs: ${seconds.map((s) => `${s.toFixed(0)} s`).join(', ')}`,
    `wall time: min ${sorted[0].toFixed(0)} s, median ${median.toFixed(0)} s, max ${sorted.at(-1).toFixed(0)} s`,
    `${results.length - failed} passed, ${failed} failed`,
  ].join('\n');
}

function runOnce(command) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
    child.once('error', () => resolve({ code: 127, ms: performance.now() - started }));
    child.once('exit', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), ms: performance.now() - started }),
    );
  });
}

async function main() {
  const parsed = parseArguments(process.argv.slice(2));
  if (parsed.error) {
    console.error(`under-load: ${parsed.error}\n${USAGE}`);
    process.exit(64);
  }
  const { runs, burners, keepGoing, command } = parsed.options;
  const spinning = Array.from({ length: burners }, () =>
    spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }),
  );
  const stopBurners = () => {
    for (const burner of spinning) burner.kill('SIGKILL');
  };
  process.once('exit', stopBurners);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopBurners();
      process.exit(130);
    });
  }
  const results = [];
  for (let run = 1; run <= runs; run += 1) {
    console.error(`under-load: run ${run} of ${runs}, ${burners} burner(s): ${command.join(' ')}`);
    const result = await runOnce(command);
    results.push(result);
    console.error(
      `under-load: run ${run}: exit code ${result.code} in ${(result.ms / 1000).toFixed(0)} s`,
    );
    if (result.code !== 0 && !keepGoing) break;
  }
  stopBurners();
  console.log(summarize(results));
  process.exit(results.every((result) => result.code === 0) ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
