import { runCaptured } from '../../cli/main.js';

/** The alb-static-ip command as a person or a cron job runs it: its exit code and what it printed. */
export async function runCli(...argv: string[]) {
  const { code, stdout, stderr } = await runCaptured(argv);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
}
