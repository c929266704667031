import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { budgetFor } from '../support/work-budget.js';
import { lintTemplates, loadTemplate, samTransform, type Template } from './cloudformation.js';
import { copyProject } from './project-copy.js';

// examples/nested-stack.yaml deployed the way its header and the README say, up to the deploy:
// `npm run package` makes dist/packaged.yaml, then `aws cloudformation package` on the example
// uploads that template as the nested application and writes its S3 URL in the Location. Both run
// in a copy of the project against moto's S3, so the real dist/ is never written.
const BUCKET = 'alb-static-ip-nested';
const PREFIX = 'web';
const EXAMPLE = join('examples', 'nested-stack.yaml');
const PROJECT_FILES = [
  'scripts',
  'functions',
  'cli',
  'docs',
  'examples',
  'template.yaml',
  'LICENSE',
  'README.md',
  'package.json',
  'tsconfig.json',
];

const functionsOf = (template: Template): [string, Record<string, unknown>][] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]);

describe('examples/nested-stack.yaml, packaged with the AWS CLI alone, on moto', () => {
  let moto: MotoServer;
  let workdir: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  let example: Template;
  let packagedParent: Template;
  let packagedParentPath: string;
  let packagedApplication: Template;
  let uploadedKeys: string[];
  let lintFindings: string[];
  let transformed: Template;

  const aws = (...args: string[]): string =>
    execFileSync('aws', ['--endpoint-url', moto.endpoint, ...args], {
      env,
      encoding: 'utf8',
      stdio: 'pipe',
    });

  /** The bucket key of a path-style URL on moto's endpoint, or of an s3:// URI. */
  const keyOf = (location: unknown): string | undefined => {
    const text = String(location);
    const pathStyle = `${moto.endpoint}/${BUCKET}/`;
    if (text.startsWith(pathStyle)) return text.slice(pathStyle.length);
    if (text.startsWith(`s3://${BUCKET}/`)) return text.slice(`s3://${BUCKET}/`.length);
    return undefined;
  };

  beforeAll(
    async () => {
      // Prepare: moto with an empty bucket, fake credentials, and a copy of the project.
      moto = await startMotoServer();
      ({ workdir, project, env } = copyProject('nested-example-', PROJECT_FILES));
      aws('s3', 'mb', `s3://${BUCKET}`);
      example = loadTemplate(join(project, EXAMPLE));

      // Act: the commands of the example's header, from the project's root. AWS CLI v1 uploads
      // through AWS_ENDPOINT_URL_S3, not its own --endpoint-url (see scripts/package.mjs).
      execFileSync(
        process.execPath,
        [
          join(project, 'scripts', 'package.mjs'),
          ...['--s3-bucket', BUCKET, '--s3-prefix', PREFIX, '--endpoint-url', moto.endpoint],
        ],
        { cwd: project, env, stdio: 'pipe' },
      );
      packagedParentPath = join(project, 'dist', 'nested-stack.packaged.yaml');
      execFileSync(
        'aws',
        [
          ...['cloudformation', 'package', '--template-file', EXAMPLE],
          ...['--s3-bucket', BUCKET, '--s3-prefix', PREFIX],
          ...['--output-template-file', packagedParentPath],
        ],
        { cwd: project, env: { ...env, AWS_ENDPOINT_URL_S3: moto.endpoint }, stdio: 'pipe' },
      );

      // Read back the packaged parent, the nested template it points at, and the bucket's keys.
      packagedParent = loadTemplate(packagedParentPath);
      const location = packagedParent.Resources.StaticIp?.Properties?.Location;
      const downloaded = join(workdir, 'nested.template');
      aws('s3', 'cp', '--quiet', `s3://${BUCKET}/${keyOf(location) ?? 'missing'}`, downloaded);
      packagedApplication = loadTemplate(downloaded);
      const listing = JSON.parse(
        aws('s3api', 'list-objects-v2', '--bucket', BUCKET, '--prefix', `${PREFIX}/`),
      ) as { Contents?: { Key: string }[] };
      uploadedKeys = (listing.Contents ?? []).map((object) => object.Key);
      lintFindings = (await lintTemplates([packagedParentPath])).get(packagedParentPath) ?? [];
      transformed = samTransform(packagedParentPath, {});
    },
    budgetFor({
      motoStart: 1,
      awsCli: 3,
      build: 1,
      // npm run package packages two templates (template.yaml and its SAR release), then the example.
      awsPackage: 3,
      cfnLint: 1,
      samTransform: 1,
    }),
  );

  afterAll(
    async () => {
      await moto?.stop();
      if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
    },
    budgetFor({ motoStop: 1 }),
  );

  it('nests the package output by a path that exists once npm run package has run', () => {
    const location = example.Resources.StaticIp?.Properties?.Location;
    expect(location).toBe('../dist/packaged.yaml');
    expect(existsSync(join(project, 'examples', String(location)))).toBe(true);
  });

  it('replaces the Location with the URL of an object in the bucket, under the prefix', () => {
    // Act
    const location = packagedParent.Resources.StaticIp?.Properties?.Location;
    const key = keyOf(location);

    // Assess: a path-style URL on the S3 endpoint, as CloudFormation's TemplateURL requires.
    expect(String(location)).toMatch(/^https?:\/\//);
    expect(key, `${String(location)} is an object of ${BUCKET}`).toBeDefined();
    expect(key?.startsWith(`${PREFIX}/`)).toBe(true);
    expect(uploadedKeys).toContain(key);
  });

  it('uploads the package output unchanged as the nested template', () => {
    expect(packagedApplication).toEqual(loadTemplate(join(project, 'dist', 'packaged.yaml')));
  });

  it('leaves the nested template with every function at a zip uploaded to the bucket', () => {
    // Prepare
    const functions = functionsOf(packagedApplication);

    // Assess
    expect(functions.map(([logicalId]) => logicalId).sort()).toEqual(
      functionsOf(loadTemplate())
        .map(([logicalId]) => logicalId)
        .sort(),
    );
    for (const [logicalId, properties] of functions) {
      const key = keyOf(properties.CodeUri);
      expect(key, `${logicalId}: ${String(properties.CodeUri)}`).toBeDefined();
      expect(uploadedKeys, logicalId).toContain(key);
    }
  });

  it('changes nothing else in the example', () => {
    // Prepare
    const withoutLocation = (template: Template): Template => {
      const copy = structuredClone(template);
      delete copy.Resources.StaticIp?.Properties?.Location;
      return copy;
    };

    // Assess
    expect(withoutLocation(packagedParent)).toEqual(withoutLocation(example));
  });

  it('writes a packaged parent that passes cfn-lint with no finding', () => {
    expect(lintFindings).toEqual([]);
  });

  it('transforms into a nested stack whose TemplateURL is the uploaded template', () => {
    const stack = transformed.Resources.StaticIp;
    expect(stack?.Type).toBe('AWS::CloudFormation::Stack');
    expect(stack?.Properties?.TemplateURL).toBe(
      packagedParent.Resources.StaticIp?.Properties?.Location,
    );
  });
});
