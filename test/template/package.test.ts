import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBundle } from '../support/bundle-import.js';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { budgetFor } from '../support/work-budget.js';
import { lintTemplates, loadTemplate, type Template } from './cloudformation.js';
import { copyProject } from './project-copy.js';

// `npm run package` against moto: the script runs in a copy of the project, so that its build
// writes the copy's dist/ and not the one the build tests read at the same time.
const BUCKET = 'alb-static-ip-artifacts';
const PREFIX = 'alb-static-ip/test';
const ENV_PREFIX = 'alb-static-ip/from-env';
const PROJECT_FILES = [
  'scripts',
  'functions',
  'cli',
  'docs',
  'template.yaml',
  'LICENSE',
  'README.md',
  'package.json',
  'tsconfig.json',
];

type ServerlessRepoApplication = Record<string, unknown>;

const serverlessRepoOf = (template: Template): ServerlessRepoApplication =>
  (template.Metadata as Record<string, ServerlessRepoApplication>)[
    'AWS::ServerlessRepo::Application'
  ] ?? {};

const functionsOf = (template: Template): [string, Record<string, unknown>][] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]);

/** How many functions template.yaml has: the per-function work below scales with it. */
const FUNCTION_COUNT = functionsOf(loadTemplate()).length;

/** The key of an s3:// URI (or { Bucket, Key } map) in the test bucket, under a prefix. */
function keyOf(location: unknown, prefix: string): string {
  const uri =
    typeof location === 'object' && location !== null
      ? `s3://${(location as { Bucket: string }).Bucket}/${(location as { Key: string }).Key}`
      : String(location);
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  expect(match?.[1], `${uri} is an object of the test bucket`).toBe(BUCKET);
  expect(match?.[2]?.startsWith(`${prefix}/`), `${uri} is under ${prefix}/`).toBe(true);
  return match?.[2] ?? '';
}

/** The names in a zip file, read with Python's zipfile. */
function zipEntries(zip: string): string[] {
  const script =
    'import json, sys, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))';
  return JSON.parse(
    execFileSync('python3', ['-c', script, zip], { encoding: 'utf8', stdio: 'pipe' }),
  ) as string[];
}

function unzip(zip: string, into: string): void {
  const script = 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])';
  execFileSync('python3', ['-c', script, zip, into], { stdio: 'pipe' });
}

describe('npm run package (sam build and sam package without the SAM CLI), on moto', () => {
  let moto: MotoServer;
  let workdir: string;
  let project: string;
  let downloaded: string;
  let env: NodeJS.ProcessEnv;
  let built: Template;
  let packaged: Template;
  let packagedFromEnv: Template;
  let sarBuilt: Template;
  let sarPackaged: Template;
  let lintFindings: string[];
  let sarLintFindings: string[];

  const aws = (...args: string[]): string =>
    execFileSync('aws', ['--endpoint-url', moto.endpoint, ...args], {
      env,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  const packageScript = (args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv): void => {
    execFileSync(process.execPath, [join(project, 'scripts', 'package.mjs'), ...args], {
      cwd,
      env: { ...env, ...extraEnv },
      stdio: 'pipe',
    });
  };

  beforeAll(
    async () => {
      // Prepare: moto with an empty bucket, fake credentials, and a copy of the project.
      moto = await startMotoServer();
      ({ workdir, project, env } = copyProject('package-', PROJECT_FILES));
      downloaded = join(workdir, 'bucket');
      aws('s3', 'mb', `s3://${BUCKET}`);

      // Act: options on the command line, the output relative to the current directory; then
      // options in the environment, with the AWS CLI's own AWS_ENDPOINT_URL.
      packageScript(
        [
          ...['--s3-bucket', BUCKET, '--s3-prefix', PREFIX, '--endpoint-url', moto.endpoint],
          ...['--output-template-file', 'packaged.yaml'],
        ],
        workdir,
        {},
      );
      packageScript([], project, {
        PACKAGE_BUCKET: BUCKET,
        PACKAGE_PREFIX: ENV_PREFIX,
        AWS_ENDPOINT_URL: moto.endpoint,
      });

      // Read back what was uploaded, and the templates.
      mkdirSync(downloaded);
      aws('s3', 'cp', '--recursive', '--quiet', `s3://${BUCKET}/${PREFIX}/`, downloaded);
      built = loadTemplate(join(project, 'dist', 'template.yaml'));
      packaged = loadTemplate(join(workdir, 'packaged.yaml'));
      packagedFromEnv = loadTemplate(join(project, 'dist', 'packaged.yaml'));
      sarBuilt = loadTemplate(join(project, 'dist', 'sar-pack.yaml'));
      sarPackaged = loadTemplate(join(workdir, 'packaged-sar-pack.yaml'));
      const packagedPath = join(workdir, 'packaged.yaml');
      const sarPackagedPath = join(workdir, 'packaged-sar-pack.yaml');
      const findings = await lintTemplates([packagedPath, sarPackagedPath]);
      lintFindings = findings.get(packagedPath) ?? [];
      sarLintFindings = findings.get(sarPackagedPath) ?? [];
    },
    // Each run packages two templates: template.yaml and its release for the SAR.
    budgetFor({ motoStart: 1, awsCli: 2, build: 2, awsPackage: 4, cfnLint: 2 }),
  );

  afterAll(
    async () => {
      await moto?.stop();
      if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
    },
    budgetFor({ motoStop: 1 }),
  );

  const objectOf = (location: unknown): string =>
    join(downloaded, keyOf(location, PREFIX).slice(PREFIX.length + 1));

  it('writes dist/template.yaml: template.yaml with the build locations, as sam build does', () => {
    // Prepare
    const original = loadTemplate(join(project, 'template.yaml'));
    const builtDir = join(project, 'dist');
    const withoutBuildChanges = (template: Template): Template => {
      const copy = structuredClone(template);
      for (const [, properties] of functionsOf(copy)) delete properties.CodeUri;
      for (const [logicalId] of functionsOf(copy)) delete copy.Resources[logicalId]?.Metadata;
      const application = serverlessRepoOf(copy);
      delete application.LicenseUrl;
      delete application.ReadmeUrl;
      return copy;
    };

    // Assess: each function at its bundle, with no build metadata left.
    expect(functionsOf(built)).not.toHaveLength(0);
    for (const [logicalId, properties] of functionsOf(built)) {
      const bundleDir = resolve(builtDir, String(properties.CodeUri));
      expect(dirname(bundleDir), logicalId).toBe(builtDir);
      expect(readdirSync(bundleDir), logicalId).toContain('index.mjs');
      expect(built.Resources[logicalId]?.Metadata, logicalId).toBeUndefined();
    }
    // The licence and the readme, found from dist/.
    const application = serverlessRepoOf(built);
    expect(resolve(builtDir, String(application.LicenseUrl))).toBe(join(project, 'LICENSE'));
    expect(resolve(builtDir, String(application.ReadmeUrl))).toBe(join(project, 'README.md'));
    // Everything else as it was, intrinsic functions included.
    expect(withoutBuildChanges(built)).toEqual(withoutBuildChanges(original));
  });

  it(
    'points every function at a zip in the bucket: its bundle, exporting the handler',
    () => {
      const functions = functionsOf(packaged);
      expect(functions.map(([logicalId]) => logicalId).sort()).toEqual(
        functionsOf(built)
          .map(([logicalId]) => logicalId)
          .sort(),
      );
      for (const [logicalId, properties] of functions) {
        // Prepare
        const zip = objectOf(properties.CodeUri);
        const bundleDir = join(
          project,
          'dist',
          String(built.Resources[logicalId]?.Properties?.CodeUri),
        );
        const unzipped = join(workdir, 'unzipped', logicalId);

        // Act
        expect(existsSync(zip), `${logicalId}: ${String(properties.CodeUri)} was uploaded`).toBe(
          true,
        );
        const entries = zipEntries(zip);
        unzip(zip, unzipped);

        // Assess: the bundle directory and nothing else (not the project that CodeUri . names).
        expect(entries.sort(), logicalId).toEqual(readdirSync(bundleDir).sort());
        expect(
          readFileSync(join(unzipped, 'index.mjs')).equals(
            readFileSync(join(bundleDir, 'index.mjs')),
          ),
        ).toBe(true);
        expect(importBundle(join(unzipped, 'index.mjs')).handler, logicalId).toBe('function');
      }
    },
    budgetFor({ process: 2 * FUNCTION_COUNT, bundleImport: FUNCTION_COUNT }),
  );

  it.each([
    ['LicenseUrl', 'LICENSE'],
    ['ReadmeUrl', 'README.md'],
  ])('uploads the %s of the Serverless Application Repository metadata (%s)', (key, file) => {
    // Act
    const object = objectOf(serverlessRepoOf(packaged)[key]);

    // Assess
    expect(existsSync(object), `${key} was uploaded`).toBe(true);
    expect(readFileSync(object, 'utf8')).toBe(readFileSync(join(project, file), 'utf8'));
  });

  it('writes a packaged template that passes cfn-lint with no error and no warning', () => {
    expect(lintFindings).toEqual([]);
  });

  it('writes dist/sar-pack.yaml, the SAR release, from the built template: the same bundles', () => {
    // Prepare
    const codeUris = (template: Template) =>
      Object.fromEntries(functionsOf(template).map(([id, properties]) => [id, properties.CodeUri]));
    const builtCodeUris = codeUris(built);

    // Act
    const sarCodeUris = codeUris(sarBuilt);

    // Assess: its functions are template.yaml's, bundled once; no NLB is left in it.
    expect(Object.keys(sarCodeUris)).not.toHaveLength(0);
    for (const [logicalId, codeUri] of Object.entries(sarCodeUris)) {
      expect(codeUri, logicalId).toBe(builtCodeUris[logicalId]);
    }
    const types = Object.values(sarBuilt.Resources).map((resource) => resource.Type);
    expect(types).not.toContain('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(types).not.toContain('AWS::EC2::EIP');
  });

  it('packages the SAR release beside the output, at the same zips, and cfn-lint finds nothing', () => {
    // Prepare
    const packagedCodeUris = Object.fromEntries(
      functionsOf(packaged).map(([id, properties]) => [id, properties.CodeUri]),
    );

    // Act
    const functions = functionsOf(sarPackaged);

    // Assess
    for (const [logicalId, properties] of functions) {
      expect(properties.CodeUri, logicalId).toEqual(packagedCodeUris[logicalId]);
    }
    for (const key of ['LicenseUrl', 'ReadmeUrl']) {
      expect(serverlessRepoOf(sarPackaged)[key], key).toEqual(serverlessRepoOf(packaged)[key]);
    }
    expect(sarLintFindings).toEqual([]);
  });

  it(
    'takes its options from the environment too, the AWS CLI its endpoint',
    () => {
      // Prepare
      const uploaded = JSON.parse(
        aws('s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', `${ENV_PREFIX}/`),
      ) as { Contents?: { Key: string }[] };
      const keys = (uploaded.Contents ?? []).map((object) => object.Key);

      // Act
      const locations = functionsOf(packagedFromEnv).map(([, properties]) => properties.CodeUri);

      // Assess
      expect(locations).toHaveLength(functionsOf(built).length);
      for (const location of locations) expect(keys).toContain(keyOf(location, ENV_PREFIX));
    },
    budgetFor({ awsCli: 1 }),
  );

  it(
    'refuses to run without a bucket, and says how to give one',
    () => {
      // Prepare
      const args = [join(project, 'scripts', 'package.mjs'), '--s3-prefix', PREFIX];

      // Act: env has no PACKAGE_BUCKET.
      const result = spawnSync(process.execPath, args, { cwd: project, env, encoding: 'utf8' });

      // Assess
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('--s3-bucket');
      expect(result.stderr).toContain('PACKAGE_BUCKET');
      expect(result.stdout).not.toContain('built');
    },
    budgetFor({ process: 1 }),
  );
});
