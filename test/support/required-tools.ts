import {
  installAdvice,
  missingTools,
  type Tool,
  withProjectTools,
} from '../../scripts/python-tools.mjs';

/**
 * Fails once, before any test file runs, when a tool is missing: one message that names every
 * missing tool and the command that installs them (requirements.txt, into the project's .venv),
 * instead of a failed hook in every file. `npm test` checks the same first
 * (scripts/python-tools.mjs), and says so without a stack trace; this is for a vitest run alone.
 */
export function requireTools(tools: readonly Tool[]): void {
  const missing = missingTools(tools, withProjectTools(process.env));
  if (missing.length > 0) throw new Error(installAdvice(missing));
}
