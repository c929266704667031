// The Python tools outside npm that the tests (and the sandbox) run: moto_server, cfn-lint, the AWS
// CLI and the SAM translator, pinned in requirements.txt. The checks here find them on PATH, or in
// the project's own virtual environment (.venv), and say what is missing and the one command that
// installs it; they install nothing themselves.
//
//   node scripts/python-tools.mjs [TOOL ...]   exits 0 when every tool (default: all) is found,
//                                              else prints what is missing and how to get it, and
//                                              exits 1, with no stack trace.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REQUIREMENTS = 'requirements.txt';
/** Where `python3 -m venv .venv` puts the tools' commands. */
export const VENV_BIN = join('.venv', 'bin');

/** Each tool the tests run, and the Python package (as requirements.txt names it) that has it. */
export const TOOLS = {
  moto_server: 'moto',
  'cfn-lint': 'cfn-lint',
  aws: 'awscli',
  'aws-sam-translator': 'aws-sam-translator',
};

/** The pinned packages of requirements.txt, by package name: `{ moto: 'moto[server]==5.2.1' }`. */
export function readRequirements(root = ROOT) {
  const pins = {};
  for (const raw of readFileSync(join(root, REQUIREMENTS), 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const match = /^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==\S+$/.exec(line);
    if (!match)
      throw new Error(`${REQUIREMENTS}: "${line}" is not a pinned package (name==version)`);
    pins[match[1]] = line;
  }
  return pins;
}

/**
 * The environment with the project's virtual environment first on PATH, when it has one, so that
 * the tools installed there are found by everything the tests start. Unchanged otherwise.
 */
export function withProjectTools(env, root = ROOT) {
  const bin = join(root, VENV_BIN);
  const path = env.PATH ?? '';
  if (!isExecutable(join(bin, 'python3')) || path.split(delimiter).includes(bin)) return env;
  return { ...env, PATH: path === '' ? bin : `${bin}${delimiter}${path}` };
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The command on this PATH, or undefined. */
function onPath(command, env) {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, command))
    .find(isExecutable);
}

/** Whether the tool can be run with this environment: a command, or the translator's module. */
function hasTool(tool, env) {
  if (tool !== 'aws-sam-translator') return onPath(tool, env) !== undefined;
  const python = onPath('python3', env);
  if (python === undefined) return false;
  return spawnSync(python, ['-c', 'import samtranslator'], { stdio: 'ignore', env }).status === 0;
}

/** The tools of `tools` that this environment cannot run. */
export function missingTools(tools, env) {
  return tools.filter((tool) => !hasTool(tool, env));
}

/** What to tell someone who lacks `missing`: each tool, its pinned package, the one command. */
export function installAdvice(missing, root = ROOT) {
  const pins = readRequirements(root);
  const lines = missing.map((tool) => `  ${tool} (${pins[TOOLS[tool]] ?? TOOLS[tool]})`);
  return [
    `Missing Python tool${missing.length === 1 ? '' : 's'}, not on PATH nor in ${VENV_BIN}:`,
    ...lines,
    'Install them (Python 3.11 or newer), into the project, with:',
    `  python3 -m venv .venv && .venv/bin/pip install -r ${REQUIREMENTS}`,
    'then run the command again.',
  ].join('\n');
}

function main(argv) {
  const unknown = argv.filter((tool) => !(tool in TOOLS));
  if (unknown.length > 0) {
    console.error(
      `unknown tool ${unknown.join(', ')}; expected some of ${Object.keys(TOOLS).join(', ')}`,
    );
    return 2;
  }
  const tools = argv.length > 0 ? argv : Object.keys(TOOLS);
  const missing = missingTools(tools, withProjectTools(process.env));
  if (missing.length === 0) return 0;
  console.error(installAdvice(missing));
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
