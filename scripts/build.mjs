// `npm run build`: bundles every esbuild function of template.yaml into dist/<function>/ (index.mjs,
// the chunks it loads lazily, and their external source maps), running esbuild with the arguments
// sam-esbuild.mjs maps from its BuildProperties the way `sam build` does (sam-esbuild.mjs says what is mirrored and checked, and what is not). Then the
// `alb-static-ip` command (cli/) into dist/cli/alb-static-ip.mjs, package.json's bin, with the
// functions' settings but one: an ES module for Node.js 22, source-mapped, not minified.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTemplate } from './cloudformation-yaml.mjs';
import { esbuildArguments, esbuildFunctions } from './sam-esbuild.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = join(
  dirname(createRequire(import.meta.url).resolve('esbuild/package.json')),
  'bin',
  'esbuild',
);
const template = readTemplate(join(root, 'template.yaml'));

for (const fn of esbuildFunctions(template)) {
  const outdir = join(root, 'dist', fn.name);
  rmSync(outdir, { recursive: true, force: true });
  const args = esbuildArguments(fn.buildProperties, outdir);
  execFileSync(esbuild, [...args, '--log-level=warning'], {
    cwd: resolve(root, fn.codeUri),
    stdio: 'inherit',
  });
  console.log(`built ${fn.logicalId} -> dist/${fn.name}`);
}

// The CLI: the functions' settings, one file, its #! line kept first by esbuild.
const cli = join(root, 'dist', 'cli');
rmSync(cli, { recursive: true, force: true });
execFileSync(
  esbuild,
  [
    'cli/index.ts',
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node22',
    '--sourcemap',
    '--keep-names',
    `--outfile=${join(cli, 'alb-static-ip.mjs')}`,
    "--banner:js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    '--log-level=warning',
  ],
  { cwd: root, stdio: 'inherit' },
);
chmodSync(join(cli, 'alb-static-ip.mjs'), 0o755);
console.log('built the alb-static-ip command -> dist/cli/alb-static-ip.mjs');
