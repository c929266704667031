import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cloudformation.js';

/**
 * A copy of the project in a fresh temporary directory, for tests that run the project's scripts:
 * they write the copy's dist/, never the one other tests read. node_modules is linked, not copied.
 */
export interface ProjectCopy {
  /** The temporary directory: the copy is in `project` below it; remove it when done. */
  readonly workdir: string;
  readonly project: string;
  /**
   * This process's environment without AWS_ and PACKAGE_ settings, with fake credentials, a region,
   * and no AWS config or credentials file: an AWS CLI run can reach only what the test points it at.
   */
  readonly env: NodeJS.ProcessEnv;
}

export function copyProject(prefix: string, files: readonly string[]): ProjectCopy {
  const workdir = mkdtempSync(join(tmpdir(), prefix));
  const project = join(workdir, 'project');
  for (const file of files) {
    cpSync(join(ROOT, file), join(project, file), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(AWS|PACKAGE)_/.test(name)),
    ),
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(workdir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(workdir, 'no-credentials'),
  };
  return { workdir, project, env };
}
