import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { budgetFor } from '../support/work-budget.js';
import {
  loadTemplate,
  ROOT,
  samTransform,
  TEMPLATE_PATH,
  type Template,
} from './cloudformation.js';

// samconfig.toml's deploy defaults, and the release metadata that `sam publish` reads.
const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
const IAM_NAMES = ['RoleName', 'GroupName', 'UserName', 'ManagedPolicyName', 'InstanceProfileName'];

type Table = Record<string, unknown>;

/** samconfig.toml as JSON, read by Python's tomllib (Python is already a test dependency). */
function readToml(path: string): Table {
  const script =
    'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))))';
  return JSON.parse(
    execFileSync('python3', ['-c', script, path], { encoding: 'utf8', stdio: 'pipe' }),
  ) as Table;
}

const table = (parent: unknown, ...path: string[]): Table =>
  path.reduce<Table>((node, key) => (node[key] ?? {}) as Table, (parent ?? {}) as Table);

/**
 * The capabilities CloudFormation needs for a change set of a template: CAPABILITY_IAM for IAM
 * resources (as the SAM transform makes them), CAPABILITY_NAMED_IAM when one has a custom name,
 * CAPABILITY_AUTO_EXPAND for nested stacks or a macro besides the SAM transform.
 */
function neededCapabilities(original: Template, transformed: Template): string[] {
  const resources = Object.values(transformed.Resources);
  const iam = resources.filter((resource) => resource.Type.startsWith('AWS::IAM::'));
  const transforms = [original.Transform ?? []].flat();
  const needed = new Set<string>();
  if (iam.length > 0) needed.add('CAPABILITY_IAM');
  if (iam.some((resource) => IAM_NAMES.some((name) => name in (resource.Properties ?? {})))) {
    needed.add('CAPABILITY_NAMED_IAM');
  }
  if (
    resources.some((resource) => resource.Type === 'AWS::CloudFormation::Stack') ||
    transforms.some((transform) => transform !== SAM_TRANSFORM)
  ) {
    needed.add('CAPABILITY_AUTO_EXPAND');
  }
  return [...needed].sort();
}

const config = readToml(join(ROOT, 'samconfig.toml'));
const deploy = table(config, 'default', 'deploy', 'parameters');
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
};
const template = loadTemplate();
const application = table(template.Metadata, 'AWS::ServerlessRepo::Application');

describe('samconfig.toml: sam deploy --guided defaults', () => {
  it('is a version 0.1 samconfig with a default stack name', () => {
    // Act
    const stackName =
      table(config, 'default', 'global', 'parameters').stack_name ?? deploy.stack_name;

    // Assess
    expect(config.version).toBe(0.1);
    expect(stackName).toBe(packageJson.name);
    expect(stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,127}$/);
  });

  it('asks before executing the change set, and lets sam manage the artifacts bucket', () => {
    expect(deploy.confirm_changeset).toBe(true);
    expect(deploy.resolve_s3).toBe(true);
  });

  it(
    "acknowledges exactly the capabilities template.yaml's change sets need",
    () => {
      // Prepare
      const transformed = samTransform(TEMPLATE_PATH, { LoadBalancerArn: ALB });
      const capabilities = deploy.capabilities;

      // Act
      const given = (typeof capabilities === 'string' ? capabilities.split(/\s+/) : capabilities) as
        | string[]
        | undefined;

      // Assess
      expect(neededCapabilities(template, transformed)).toEqual(['CAPABILITY_IAM']);
      expect([...(given ?? [])].sort()).toEqual(neededCapabilities(template, transformed));
    },
    budgetFor({ samTransform: 1 }),
  );

  it('derives named IAM and auto-expand capabilities, so the check above can fail', () => {
    // Prepare
    const original = { Transform: [SAM_TRANSFORM], Resources: {} } as Template;
    const nestedWithNamedRole = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'fixed' } },
        Nested: { Type: 'AWS::CloudFormation::Stack', Properties: {} },
      },
    } as Template;
    const withMacro = { Transform: [SAM_TRANSFORM, 'AWS::LanguageExtensions'], Resources: {} };

    // Act, Assess
    expect(neededCapabilities(original, nestedWithNamedRole)).toEqual([
      'CAPABILITY_AUTO_EXPAND',
      'CAPABILITY_IAM',
      'CAPABILITY_NAMED_IAM',
    ]);
    expect(neededCapabilities(withMacro as Template, { Resources: {} })).toEqual([
      'CAPABILITY_AUTO_EXPAND',
    ]);
    expect(neededCapabilities(original, { Resources: {} })).toEqual([]);
  });
});

describe('samconfig.toml: the pack (sam deploy --config-env pack)', () => {
  const pack = table(config, 'pack', 'deploy', 'parameters');

  it('deploys its own stack, with every parameter at its default, which makes the pack', () => {
    expect(table(config, 'pack', 'global', 'parameters').stack_name).toBe(
      `${packageJson.name}-pack`,
    );
    expect(pack).not.toHaveProperty('parameter_overrides');
    expect(template.Parameters?.LoadBalancerArn?.Default).toBe('');
  });

  it('acknowledges what the default environment does, and asks before it executes', () => {
    expect(pack.capabilities).toBe(deploy.capabilities);
    expect(pack.confirm_changeset).toBe(true);
    expect(pack.resolve_s3).toBe(true);
  });
});

describe('Release metadata: the Serverless Application Repository application', () => {
  it("has package.json's version as its SemanticVersion", () => {
    expect(application.SemanticVersion).toBe(packageJson.version);
  });

  it("has package.json's licence as its SpdxLicenseId", () => {
    expect(application.SpdxLicenseId).toBe(packageJson.license);
  });

  it.each([
    ['LicenseUrl', 'LICENSE'],
    ['ReadmeUrl', 'README.md'],
  ])('has a %s naming %s, which exists', (key, file) => {
    // Act
    const path = resolve(dirname(TEMPLATE_PATH), String(application[key]));

    // Assess
    expect(path).toBe(join(ROOT, file));
    expect(existsSync(path), file).toBe(true);
  });

  it('is licensed under the MIT No Attribution text that SpdxLicenseId MIT-0 names', () => {
    // Act
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

    // Assess
    expect(application.SpdxLicenseId).toBe('MIT-0');
    expect(license.split('\n')[0]).toBe('MIT No Attribution');
    expect(license).toContain('Copyright alb-static-ip contributors');
    expect(license).toContain('without restriction');
    expect(license).not.toMatch(/above copyright notice and this permission notice shall be/);
  });
});
