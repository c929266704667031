// `npm run build`: bundles every esbuild function of template.yaml into dist/<function>/, running
// esbuild with the arguments sam-esbuild.mjs maps from its BuildProperties the way `sam build`
// does (sam-esbuild.mjs says what is mirrored and checked, and what is not).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
