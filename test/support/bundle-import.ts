import { execFileSync } from 'node:child_process';

/**
 * The settings a function's bundle reads when it loads, as template.yaml gives them: the macro
 * checks the shared functions' ARNs then, and refuses to load without them. Made-up values of the
 * right shape; the other functions read none of them.
 */
export const LOAD_ENVIRONMENT: Readonly<Record<string, string>> = {
  SYNC_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
  NLB_PRIVATE_IPS_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:pack-NlbPrivateIps',
  DEAD_LETTER_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:pack-SyncDeadLetterQueue',
};

/**
 * Imports a bundle the way the Lambda Node.js runtime does: `import()` in a fresh Node.js process,
 * with the function's load-time settings. Returns typeof its `handler` export and what the module
 * namespace is.
 */
export function importBundle(bundle: string, cwd?: string): { handler: string; namespace: string } {
  const script = [
    "const { pathToFileURL } = await import('node:url');",
    'const module = await import(pathToFileURL(process.argv[1]).href);',
    'const namespace = Object.prototype.toString.call(module);',
    'process.stdout.write(JSON.stringify({ handler: typeof module.handler, namespace }));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, bundle], {
    cwd,
    env: { ...process.env, ...LOAD_ENVIRONMENT },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output) as { handler: string; namespace: string };
}
