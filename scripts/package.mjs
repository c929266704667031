// `npm run package`: stands in for `sam build && sam package` where the SAM CLI is not installed.
// It is not the SAM CLI: the differences are in sam-esbuild.mjs (the build) and below.
//
//   npm run package -- --s3-bucket BUCKET [--s3-prefix PREFIX] [--output-template-file FILE]
//                      [--endpoint-url URL] [-- AWS_CLI_ARGUMENTS...]
//   PACKAGE_BUCKET=BUCKET [PACKAGE_PREFIX=PREFIX] [PACKAGE_OUTPUT=FILE] [PACKAGE_ENDPOINT_URL=URL]
//     npm run package
//
// 1. Builds the functions (`node scripts/build.mjs`: dist/<function>/).
// 2. Writes dist/template.yaml: template.yaml with each esbuild function's CodeUri pointing at its
//    bundle directory and its BuildMethod and BuildProperties removed, and the Serverless
//    Application Repository's LicenseUrl and ReadmeUrl made relative to dist/ (../LICENSE,
//    ../README.md), as sam build rewrites relative paths. Intrinsic functions are written in their
//    JSON form ({"Ref": ...}, {"Fn::Sub": ...}), which CloudFormation reads as it reads the tags.
// 3. Writes dist/sar-pack.yaml: the release for the Serverless Application Repository, made from
//    dist/template.yaml by sar-pack.mjs (so it points at the same bundles). It is the pack and the
//    adoption of existing target groups, without the NLB: the conditions that create it fixed to
//    false, and every resource, output, parameter, rule and condition that only the NLB needed
//    removed. The script fails, naming them, when a resource type that remains is not "listed" in
//    docs/sar-supported-resource-types.json, or a reference is left pointing at what was removed.
//    See docs/serverless-application-repository.md.
// 4. Runs `aws cloudformation package` on each: each bundle directory is zipped and uploaded, and
//    so are the licence and the readme; the packaged template, with s3:// locations, is written to
//    the output file (default dist/packaged.yaml), ready for `sam deploy`, `sam publish` or
//    `aws cloudformation deploy`, and the packaged SAR release beside it, named with -sar-pack
//    before the extension (default dist/packaged-sar-pack.yaml), ready for `sam publish`. The second
//    run finds the bundles already uploaded under the same keys (their content's MD5).
//
// Each option can come from the command line or the environment (the command line wins):
//   --s3-bucket / PACKAGE_BUCKET             the artifacts bucket (required);
//   --s3-prefix / PACKAGE_PREFIX             a key prefix for the artifacts;
//   --output-template-file / PACKAGE_OUTPUT  relative to the current directory;
//   --endpoint-url / PACKAGE_ENDPOINT_URL    an S3 endpoint, such as an emulator's (it is given to
//                                            the AWS CLI as AWS_ENDPOINT_URL_S3, because AWS CLI v1
//                                            does not use its own --endpoint-url for the uploads).
// Arguments after a second `--` go to `aws cloudformation package` as they are (--force-upload,
// --kms-key-id, --profile, --region, ...). The AWS CLI reads its credentials, region and endpoints
// from the usual environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...), passed through.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { readTemplate } from './cloudformation-yaml.mjs';
import { esbuildFunctions } from './sam-esbuild.mjs';
import { readSupportedTypes, SUPPORTED_TYPES_RECORD, sarPackTemplate } from './sar-pack.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const builtTemplatePath = join(dist, 'template.yaml');
const sarTemplatePath = join(dist, 'sar-pack.yaml');

const USAGE = [
  'usage: npm run package -- --s3-bucket BUCKET [--s3-prefix PREFIX]',
  '         [--output-template-file FILE] [--endpoint-url URL] [-- AWS_CLI_ARGUMENTS...]',
  '   or: PACKAGE_BUCKET=BUCKET [PACKAGE_PREFIX=PREFIX] [PACKAGE_OUTPUT=FILE]',
  '         [PACKAGE_ENDPOINT_URL=URL] npm run package',
].join('\n');

/** Bucket, prefix, output and extra AWS CLI arguments, from the command line and environment. */
function packageOptions(argv, env) {
  const terminator = argv.indexOf('--');
  let values;
  try {
    ({ values } = parseArgs({
      args: terminator === -1 ? argv : argv.slice(0, terminator),
      options: {
        's3-bucket': { type: 'string' },
        's3-prefix': { type: 'string' },
        'output-template-file': { type: 'string' },
        'endpoint-url': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new Error(`${error.message}\n${USAGE}`);
  }
  const bucket = values['s3-bucket'] ?? env.PACKAGE_BUCKET ?? '';
  if (bucket === '') {
    throw new Error(`no S3 bucket: give --s3-bucket BUCKET or set PACKAGE_BUCKET\n${USAGE}`);
  }
  const given = values['output-template-file'] ?? env.PACKAGE_OUTPUT ?? '';
  const output = given === '' ? join(dist, 'packaged.yaml') : resolve(given);
  const extension = extname(output);
  return {
    bucket,
    prefix: values['s3-prefix'] ?? env.PACKAGE_PREFIX ?? '',
    output,
    sarOutput: join(dirname(output), `${basename(output, extension)}-sar-pack${extension}`),
    endpoint: values['endpoint-url'] ?? env.PACKAGE_ENDPOINT_URL ?? '',
    awsArguments: terminator === -1 ? [] : argv.slice(terminator + 1),
  };
}

const isLocalPath = (value) => typeof value === 'string' && !/^(s3|https?):\/\//.test(value);

/**
 * dist/template.yaml, from the parsed template.yaml, in the way `sam build` writes its built
 * template: the esbuild functions point at their bundles, and the relative paths are rewritten for
 * dist/. (SAM also edits the functions' environment for source maps; this does not, and
 * template.yaml sets NODE_OPTIONS itself.)
 */
function builtTemplate(template) {
  const built = structuredClone(template);
  const builtIds = new Set();
  for (const fn of esbuildFunctions(built)) {
    const resource = built.Resources[fn.logicalId];
    resource.Properties = { ...resource.Properties, CodeUri: fn.name };
    const { BuildMethod: _method, BuildProperties: _properties, ...metadata } = resource.Metadata;
    if (Object.keys(metadata).length === 0) delete resource.Metadata;
    else resource.Metadata = metadata;
    builtIds.add(fn.logicalId);
  }
  for (const [logicalId, resource] of Object.entries(built.Resources ?? {})) {
    if (resource.Type !== 'AWS::Serverless::Function' || builtIds.has(logicalId)) continue;
    if (resource.Properties?.PackageType === 'Image') continue;
    throw new Error(
      `${logicalId}: only functions with Metadata.BuildMethod esbuild can be packaged by this script`,
    );
  }
  const application = built.Metadata?.['AWS::ServerlessRepo::Application'];
  for (const key of ['LicenseUrl', 'ReadmeUrl']) {
    const value = application?.[key];
    if (!isLocalPath(value)) continue;
    const file = resolve(root, value);
    if (!existsSync(file)) {
      throw new Error(`Metadata.AWS::ServerlessRepo::Application.${key}: ${file} does not exist`);
    }
    application[key] = relative(dist, file);
  }
  return built;
}

/** Fails the script with a message, not a stack trace. */
function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

function main() {
  let options;
  let built;
  try {
    options = packageOptions(process.argv.slice(2), process.env);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), 2);
  }
  try {
    built = builtTemplate(readTemplate(join(root, 'template.yaml')));
  } catch (error) {
    fail(`template.yaml: ${error instanceof Error ? error.message : String(error)}`);
  }
  let sarPack;
  try {
    sarPack = sarPackTemplate(built, readSupportedTypes(root));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    fail(`template.yaml: ${message}\n(a type may remain if ${SUPPORTED_TYPES_RECORD} lists it)`);
  }

  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  } catch {
    fail('the build (scripts/build.mjs) failed');
  }

  // YAML 1.1 quoting, because the AWS CLI reads YAML 1.1: "yes", "on" or 2010-09-09 stay strings.
  for (const [path, template] of [
    [builtTemplatePath, built],
    [sarTemplatePath, sarPack],
  ]) {
    writeFileSync(
      path,
      stringify(template, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }),
    );
    console.log(`wrote ${relative(process.cwd(), path)}`);
  }

  const env =
    options.endpoint === ''
      ? process.env
      : { ...process.env, AWS_ENDPOINT_URL_S3: options.endpoint };
  for (const [templateFile, output] of [
    [builtTemplatePath, options.output],
    [sarTemplatePath, options.sarOutput],
  ]) {
    mkdirSync(dirname(output), { recursive: true });
    const args = [
      'cloudformation',
      'package',
      '--template-file',
      templateFile,
      '--s3-bucket',
      options.bucket,
      ...(options.prefix === '' ? [] : ['--s3-prefix', options.prefix]),
      '--output-template-file',
      output,
      ...options.awsArguments,
    ];
    const result = spawnSync('aws', args, { stdio: 'inherit', env });
    if (result.error) fail(`cannot run the AWS CLI (aws): ${result.error.message}`);
    if (result.status !== 0) {
      fail(
        `aws cloudformation package of ${relative(process.cwd(), templateFile)} failed (exit code ${result.status})`,
        result.status ?? 1,
      );
    }
    console.log(`packaged ${relative(process.cwd(), output)}`);
  }
}

main();
