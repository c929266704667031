// The esbuild command line that `sam build` runs for a function with `BuildMethod: esbuild`,
// derived from its `Metadata.BuildProperties` the way the SAM CLI's Node.js esbuild workflow does:
//   - a PascalCase property becomes a kebab-case flag (Sourcemap -> --sourcemap,
//     OutExtension -> --out-extension, KeepNames -> --keep-names);
//   - true becomes `--flag`, false no flag, a string `--flag=value`, a list `--flag:item` per item;
//   - `--bundle --platform=node --outdir=...` are always given, and `--target=es2020`,
//     `--format=cjs` and `--minify` unless the properties set them;
//   - Bundle, Platform and Outdir are not configurable, EntryPoints and UseNpmCi are not flags.
// `npm run build` runs exactly this command, so its bundles are the ones `sam build` makes.
// Two SAM behaviours are not mirrored, and are refused rather than silently built differently:
// entry points without a file extension (SAM tries .ts then .js), and `External: ./node_modules/*`
// (SAM then marks every package.json dependency external).
import { basename, dirname } from 'node:path';

const NOT_CONFIGURABLE = new Set(['bundle', 'platform', 'outdir']);
const NOT_FLAGS = new Set(['entry-points', 'use-npm-ci']);

const kebab = (property) =>
  property
    .replace(/(?<!^)(?=[A-Z])/g, '_')
    .toLowerCase()
    .replaceAll('_', '-');

/** The esbuild arguments for one function's BuildProperties, writing into `outdir`. */
export function esbuildArguments(buildProperties, outdir) {
  const properties = new Map(
    Object.entries(buildProperties ?? {}).map(([key, value]) => [kebab(key), value]),
  );
  const entryPoints = properties.get('entry-points');
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
    throw new Error('BuildProperties.EntryPoints: expected a list of at least one entry point');
  }
  for (const entry of entryPoints) {
    if (typeof entry !== 'string' || !/\.[cm]?[jt]sx?$/.test(entry)) {
      throw new Error(
        `BuildProperties.EntryPoints: ${JSON.stringify(entry)} must name a file with its extension`,
      );
    }
  }
  if ((properties.get('external') ?? []).includes?.('./node_modules/*')) {
    throw new Error('BuildProperties.External: "./node_modules/*" is not supported by this build');
  }
  const args = [...entryPoints, '--bundle', '--platform=node', `--outdir=${outdir}`];
  if (!properties.has('target')) args.push('--target=es2020');
  if (!properties.has('format')) args.push('--format=cjs');
  if (!properties.has('minify')) args.push('--minify');
  for (const [flag, value] of properties) {
    if (NOT_CONFIGURABLE.has(flag) || NOT_FLAGS.has(flag)) continue;
    if (typeof value === 'boolean') {
      if (value) args.push(`--${flag}`);
    } else if (typeof value === 'string') {
      args.push(`--${flag}=${value}`);
    } else if (Array.isArray(value)) {
      for (const item of value) args.push(`--${flag}:${item}`);
    } else {
      throw new Error(`BuildProperties: ${flag} has a value of unsupported type ${typeof value}`);
    }
  }
  return args;
}

/** Every function of a parsed template that SAM builds with esbuild, and where its bundle goes. */
export function esbuildFunctions(template) {
  return Object.entries(template.Resources ?? {})
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::Serverless::Function' &&
        resource.Metadata?.BuildMethod === 'esbuild',
    )
    .map(([logicalId, resource]) => {
      const entryPoints = resource.Metadata.BuildProperties?.EntryPoints ?? [];
      const first = entryPoints[0];
      if (typeof first !== 'string') {
        throw new Error(
          `${logicalId}: Metadata.BuildProperties.EntryPoints must name the entry file`,
        );
      }
      return {
        logicalId,
        name: basename(dirname(first)),
        codeUri: resource.Properties?.CodeUri ?? template.Globals?.Function?.CodeUri ?? '.',
        handler: resource.Properties?.Handler ?? template.Globals?.Function?.Handler,
        buildProperties: resource.Metadata.BuildProperties,
      };
    });
}
