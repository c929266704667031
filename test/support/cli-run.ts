import { main } from '../../cli/main.js';

/** The alb-static-ip command as a person or a cron job runs it: its exit code and what it printed. */
export async function runCli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as unknown };
}
