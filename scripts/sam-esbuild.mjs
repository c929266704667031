// The esbuild arguments that `sam build` derives from a function's `Metadata.BuildProperties` when
// its `BuildMethod` is `esbuild`, for the properties and value shapes template.yaml uses.
//
// Mirrored, as the SAM docs describe it
// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html)
// and as aws-lambda-builders implements it in aws_lambda_builders/workflows/nodejs_npm_esbuild/
// esbuild.py (EsbuildCommandBuilder), after the SAM CLI has turned the PascalCase properties into
// snake_case (aws-sam-cli: samcli/lib/samlib/resource_metadata_normalizer.py):
//   - the entry points first, then `--bundle --platform=node --outdir=<dir>`, then one flag per
//     property in the template's order, its name in kebab-case (KeepNames -> --keep-names);
//   - true gives `--flag`, false nothing, a string `--flag=value`, a list `--flag:item` per item;
//     any other value is refused, as the builder refuses it.
// Confirmed in aws-lambda-builders (aws_lambda_builders/workflows/nodejs_npm_esbuild/, commit
// cd41bcf1): esbuild.py lines 175-228 (_get_config_type_callback and the three _create_*_config:
// so `Splitting: true` is `--splitting`, `MainFields: module,main` is `--main-fields=module,main`,
// `Sourcemap: external` is `--sourcemap=external`, and `SourcesContent` must be the string "false"
// for `--sources-content=false`, a YAML false giving no flag at all), lines 264-273 (the fixed flags,
// the defaults), line 330 (snake_case to kebab-case); actions.py lines 93-95 (entry points, then
// the fixed flags, then the properties). The outdir is the function's artifacts directory, which
// SAM packages whole, so chunks of `Splitting` go with the entry.
// What is checked: test/template/build.test.ts compares the arguments for template.yaml's own
// BuildProperties, and for a table of other rows, with literal lists written from that page and
// that source. No test runs `sam build`, so nothing proves that its bundles and `npm run build`'s
// are the same bytes; and they need not be, as below.
//
// Not mirrored, and refused rather than built differently:
//   - SAM's defaults `--target=es2020`, `--format=cjs` and `--minify` (esbuild.py,
//     build_default_values): Target, Format and Minify must be set;
//   - Bundle, Platform and Outdir, which SAM drops, and UseNpmCi, which SAM gives npm, not esbuild;
//   - no EntryPoints (SAM then bundles the handler's file), and an entry point without an extension
//     (SAM then tries .ts, then .js: esbuild.py, _get_explicit_file_type);
//   - External containing `./node_modules/*`, for which SAM marks every package.json dependency
//     external instead (nodejs_npm_esbuild/actions.py, EsbuildBundleAction).
// Not mirrored either: SAM runs esbuild in a scratch copy of CodeUri after installing the
// dependencies there, so the source maps' paths differ; SAM's template edits for esbuild functions
// (the Handler path, and NODE_OPTIONS: aws-sam-cli samcli/lib/build/bundler.py, commit fe8f8dbb,
// lines 110-134, appends --enable-source-maps to any function whose Sourcemap is set and whose
// NODE_OPTIONS lacks it, which is why template.yaml sets it itself) are not made; and `sam sync`,
// which builds with a dependency layer by default, marks every dependency external.
import { basename, dirname, extname } from 'node:path';

/** Properties SAM does not pass to esbuild as flags (NON_CONFIGURABLE_VALUES, and UseNpmCi). */
const NOT_FLAGS = new Set(['bundle', 'platform', 'outdir', 'use_npm_ci']);
/** Properties SAM gives a default when they are absent (build_default_values). */
const DEFAULTED = ['Target', 'Format', 'Minify'];
const ALL_DEPENDENCIES = './node_modules/*';

/** `KeepNames` -> `keep_names`, as the SAM CLI normalizes a property's name. */
const snakeCase = (key) => key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();

/** A function's entry points, which this build requires: a list of files with their extension. */
function entryPointsOf(buildProperties) {
  const entryPoints = buildProperties?.EntryPoints;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
    throw new Error(
      `BuildProperties.EntryPoints: expected a list of at least one file, got ${JSON.stringify(entryPoints)}`,
    );
  }
  for (const entry of entryPoints) {
    if (typeof entry !== 'string' || extname(entry) === '') {
      throw new Error(
        `BuildProperties.EntryPoints: ${JSON.stringify(entry)} must name a file with its extension`,
      );
    }
  }
  return entryPoints;
}

/** The esbuild flags for one property, as esbuild.py's _get_config_type_callback makes them. */
function flagsOf(key, name, value) {
  const flag = `--${name.replaceAll('_', '-')}`;
  if (typeof value === 'boolean') return value ? [flag] : [];
  if (typeof value === 'string') return [`${flag}=${value}`];
  if (Array.isArray(value)) return value.map((item) => `${flag}:${item}`);
  throw new Error(
    `BuildProperties.${key}: ${JSON.stringify(value)} is not true, false, a string or a list`,
  );
}

/** The esbuild arguments for one function's BuildProperties, writing into `outdir`. */
export function esbuildArguments(buildProperties, outdir) {
  const entryPoints = entryPointsOf(buildProperties);
  const properties = Object.entries(buildProperties).map(([key, value]) => ({
    key,
    name: snakeCase(key),
    value,
  }));
  const names = new Set(properties.map(({ name }) => name));
  const unset = DEFAULTED.filter((key) => !names.has(snakeCase(key)));
  if (unset.length > 0) {
    throw new Error(
      `BuildProperties: ${unset.join(', ')} not set; sam build would default them (es2020, cjs, minified), which this build does not mirror`,
    );
  }
  const args = [...entryPoints, '--bundle', '--platform=node', `--outdir=${outdir}`];
  for (const { key, name, value } of properties) {
    if (name === 'entry_points') continue;
    if (NOT_FLAGS.has(name)) {
      throw new Error(
        `BuildProperties.${key}: sam build does not pass it to esbuild, and this build does not mirror what it does instead`,
      );
    }
    // A list, or one string: actions.py looks for it in either.
    if (name === 'external' && [value].flat().includes(ALL_DEPENDENCIES)) {
      throw new Error(
        `BuildProperties.External: "${ALL_DEPENDENCIES}" makes sam build mark every dependency external, which this build does not mirror`,
      );
    }
    args.push(...flagsOf(key, name, value));
  }
  return args;
}

/** A property every esbuild function must set itself: this build does not read Globals. */
function ownProperty(logicalId, resource, key) {
  const value = resource.Properties?.[key];
  if (typeof value !== 'string') {
    throw new Error(
      `${logicalId}: Properties.${key} must be set on the function, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Every function of a parsed template that SAM builds with esbuild, and where its bundle goes. */
export function esbuildFunctions(template) {
  return Object.entries(template.Resources)
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::Serverless::Function' &&
        resource.Metadata?.BuildMethod === 'esbuild',
    )
    .map(([logicalId, resource]) => {
      const buildProperties = resource.Metadata.BuildProperties;
      const [first] = entryPointsOf(buildProperties);
      return {
        logicalId,
        name: basename(dirname(first)),
        codeUri: ownProperty(logicalId, resource, 'CodeUri'),
        buildProperties,
      };
    });
}
