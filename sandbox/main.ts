import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { messageOf } from '../functions/shared/errors.js';
import { installAdvice, missingTools, withProjectTools } from '../scripts/python-tools.mjs';
import { ROOT } from './deploy.js';
import { runSandbox } from './sandbox.js';

// `npm start [-- --watch] [--step-seconds N] [--schedule-seconds N] [--target-mode ip|alb]`: the
// bridge at work on moto.
// Exit codes: 0 the bridge converged at every step (or --watch was stopped with Ctrl-C); 1 it did
// not, or something failed (said in one line, no stack trace); 64 a bad command line; 130 a run
// without --watch interrupted.

export const USAGE = `usage: npm start [-- [--watch] [--step-seconds N] [--schedule-seconds N] [--target-mode ip|alb]]

  --watch               keep the ALB changing, round after round, until Ctrl-C
  --step-seconds N      each step of the ALB's life lasts at least N seconds (default 3)
  --schedule-seconds N  the schedule rule fires every N seconds (default 2; in AWS, its rate)
  --target-mode alb     deploy with TargetMode alb instead: the ALB registered in target groups
                        of type alb, nothing that syncs; shows the stack and its status, and ends
  -h, --help            this help`;

/** The Python tools the sandbox runs: moto, the AWS CLI (npm run package), the SAM translator. */
const TOOLS = ['moto_server', 'aws', 'aws-sam-translator'] as const;

export interface CommandLine {
  readonly watch: boolean;
  readonly stepMs: number;
  readonly scheduleMs: number;
  readonly targetMode: 'ip' | 'alb';
}

/** The command line read, or what is wrong with it. */
export function readCommandLine(
  argv: readonly string[],
): { help: true } | { options: CommandLine } | { problem: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        watch: { type: 'boolean' },
        'step-seconds': { type: 'string' },
        'schedule-seconds': { type: 'string' },
        'target-mode': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { problem: messageOf(error) };
  }
  if (values.help) return { help: true };
  const seconds = (name: string, fallback: number): number | string => {
    const given = values[name];
    if (given === undefined) return fallback * 1000;
    if (typeof given !== 'string' || !/^\d{1,3}(\.\d{1,3})?$/.test(given) || Number(given) <= 0) {
      return `--${name}: got ${JSON.stringify(given)}; expected seconds above 0 and below 1000`;
    }
    return Math.round(Number(given) * 1000);
  };
  const stepMs = seconds('step-seconds', 3);
  const scheduleMs = seconds('schedule-seconds', 2);
  if (typeof stepMs === 'string') return { problem: stepMs };
  if (typeof scheduleMs === 'string') return { problem: scheduleMs };
  const targetMode = values['target-mode'] ?? 'ip';
  if (targetMode !== 'ip' && targetMode !== 'alb') {
    return { problem: `--target-mode: got ${JSON.stringify(targetMode)}; expected ip or alb` };
  }
  if (targetMode === 'alb' && values.watch === true) {
    return {
      problem: '--watch follows the ALB changing, which --target-mode alb has nothing to show of',
    };
  }
  return { options: { watch: values.watch === true, stepMs, scheduleMs, targetMode } };
}

async function main(): Promise<number> {
  const read = readCommandLine(process.argv.slice(2));
  if ('help' in read) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('problem' in read) {
    process.stderr.write(`npm start: ${read.problem}\n\n${USAGE}\n`);
    return 64;
  }
  const { PATH } = withProjectTools(process.env);
  if (PATH !== undefined) process.env.PATH = PATH;
  const missing = missingTools(TOOLS, process.env);
  if (missing.length > 0) {
    process.stderr.write(`${installAdvice(missing)}\n`);
    return 1;
  }
  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    return await runSandbox({
      ...read.options,
      interactive: process.stdout.isTTY === true,
      columns: process.stdout.columns,
      write: (text) => process.stdout.write(text),
      signal: abort.signal,
      workDirectory: join(ROOT, '.sandbox'),
    });
  } catch (error) {
    process.stderr.write(`npm start: ${messageOf(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

process.exitCode = await main();
