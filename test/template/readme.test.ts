import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../scripts/cloudformation-yaml.mjs';
import { loadTemplate, ROOT } from './cloudformation.js';

// The README must not drift from the project. Its custom-resource snippets stay deployable: the type
// the Serverless Application Repository accepts, a ServiceToken naming a function of template.yaml,
// properties the function's schema knows, and attributes the resource returns. Every npm command it
// names exists, every script of package.json is named, and every path of its Layout exists.
// Where AWS's documentation limits what a reader can do (stack sets and the SAM transform, security
// groups on an existing NLB, the SAR capabilities), the README and docs/ say what it says.
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: object }).scripts ??
    {},
);
const snippets = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
  (match) =>
    parseTemplate(match[1] ?? '') as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >,
);
const resources = snippets.flatMap((snippet) => Object.entries(snippet));
const customResources = resources.filter(([, resource]) =>
  resource.Type?.includes('CustomResource'),
);

const KNOWN = {
  TargetGroupSyncFunction: {
    properties: ['LoadBalancerArn', 'TargetGroupArns', 'DryRun'],
    attributes: ['AlbIpCount', 'Registered', 'Deregistered'],
  },
  NlbPrivateIpsFunction: {
    properties: ['LoadBalancerArn', 'Ports', 'SecurityGroupId'],
    attributes: ['PrivateIps', 'Cidrs', 'IngressRules'],
  },
} as const;

describe('README: custom resource snippets', () => {
  it('shows both custom resources', () => {
    const functions = customResources.map(
      ([, resource]) =>
        (resource.Properties.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    expect(new Set(functions)).toEqual(new Set(Object.keys(KNOWN)));
  });

  it.each(customResources)('%s is deployable as written', (_, resource) => {
    expect(resource.Type).toBe('AWS::CloudFormation::CustomResource');
    const [functionId] = (resource.Properties.ServiceToken as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ];
    expect(loadTemplate().Resources).toHaveProperty(functionId as string);
    const { ServiceToken: _token, ...properties } = resource.Properties;
    const known = KNOWN[functionId as keyof typeof KNOWN];
    expect(known.properties).toEqual(expect.arrayContaining(Object.keys(properties)));
  });

  it('reads only attributes the resources return', () => {
    const reads = [...readme.matchAll(/!GetAtt (\w+)\.(\w+)/g)];
    const byLogicalId = new Map(
      customResources.map(([id, resource]) => [
        id,
        (resource.Properties.ServiceToken as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
      ]),
    );
    for (const [, logicalId = '', attribute = ''] of reads) {
      const functionId = byLogicalId.get(logicalId);
      if (functionId === undefined) continue;
      expect(KNOWN[functionId as keyof typeof KNOWN].attributes).toContain(attribute);
    }
    expect(reads.some(([, id, attribute]) => id === 'NlbIps' && attribute === 'IngressRules')).toBe(
      true,
    );
  });
});

/** The code of a markdown text: its fenced blocks (indented ones too), then its inline code spans. */
function codeOf(markdown: string): string[] {
  const fence = /^ *```[^\n]*\n([\s\S]*?)^ *```/gm;
  const blocks = [...markdown.matchAll(fence)].map((match) => match[1] ?? '');
  const spans = [...markdown.replace(fence, '').matchAll(/`([^`\n]+)`/g)].map(
    (match) => match[1] ?? '',
  );
  return [...blocks, ...spans];
}

/**
 * npm's own commands that a reader may be told to run. Any other `npm X` must be a script: `npm test`
 * runs the `test` script.
 */
const NPM_BUILTINS = new Set(['ci', 'install', 'i', 'ls', 'exec', 'help', 'outdated', 'audit']);

interface NpmCommand {
  text: string;
  /** The package.json script it runs, or undefined for one of npm's own commands. */
  script: string | undefined;
}

/** Every npm command in the code of a markdown text. */
function npmCommands(markdown: string): NpmCommand[] {
  return codeOf(markdown).flatMap((code) =>
    [...code.matchAll(/\bnpm\s+(?:(?:run|run-script)\s+([\w:.-]+)|([a-z][\w-]*))/g)].map(
      ([match, run, command = '']) => ({
        text: match.replace(/\s+/g, ' '),
        script: run ?? (NPM_BUILTINS.has(command) ? undefined : command),
      }),
    ),
  );
}

/** The commands that would fail: a script package.json lacks. */
function unknownCommands(commands: readonly NpmCommand[], known: readonly string[]): string[] {
  return commands
    .filter(({ script }) => script !== undefined && !known.includes(script))
    .map(({ text }) => text);
}

/**
 * The paths, from the project's root, that the code block of a markdown text's `## Layout` section
 * names. An entry is a name at the start of a line, indented two spaces a level: a directory ends
 * with `/`. The files named in an entry's description, and on the lines that continue it, are in
 * that entry's directory.
 */
function layoutPaths(markdown: string): string[] {
  const block = /^## Layout\n[\s\S]*?^```\n([\s\S]*?)^```/m.exec(markdown)?.[1] ?? '';
  const paths: string[] = [];
  const parents: string[] = [];
  let directory = '';
  for (const line of block.split('\n')) {
    const entry = /^((?: {2}){0,4})([\w.-]+\/?)(?: {2,}|$)(.*)$/.exec(line);
    let description = line;
    if (entry !== null) {
      const [, indent = '', name = '', rest = ''] = entry;
      parents.length = indent.length / 2;
      const parent = parents.join('');
      paths.push(parent + name);
      if (name.endsWith('/')) parents.push(name);
      directory = parents.join('');
      description = rest;
    }
    for (const [file] of description.matchAll(
      /(?<![\w/.-])[\w-]+(?:\.[\w-]+)*\.(?:ts|mjs|js|json|yaml|yml|md|toml|py)(?![\w/-])/g,
    )) {
      paths.push(directory + file);
    }
  }
  return paths;
}

describe('README: commands', () => {
  it('finds npm commands in code blocks and code spans, and only there', () => {
    // Prepare
    const sample = [
      'Run `npm ci`, then `npm run nope`. npm 11 is not a command here.',
      '',
      '```sh',
      'npm test',
      'PACKAGE_BUCKET=b npm run package -- --s3-prefix p',
      '```',
      '',
      '- indented:',
      '',
      '  ```sh',
      '  npm tset',
      '  ```',
    ].join('\n');

    // Act
    const commands = npmCommands(sample);

    // Assess
    expect(commands.map(({ text }) => text).sort()).toEqual(
      ['npm ci', 'npm run nope', 'npm run package', 'npm test', 'npm tset'].sort(),
    );
    expect(unknownCommands(commands, ['test', 'package']).sort()).toEqual([
      'npm run nope',
      'npm tset',
    ]);
  });

  it("names only npm commands that exist: scripts of package.json, or npm's own", () => {
    // Act
    const commands = npmCommands(readme);

    // Assess
    expect(commands.map(({ text }) => text)).toEqual(
      expect.arrayContaining(['npm ci', 'npm test', 'npm run test:quick', 'npm run test:unit']),
    );
    expect(unknownCommands(commands, scripts)).toEqual([]);
  });

  it('names every script of package.json', () => {
    // Act
    const named = new Set(npmCommands(readme).map(({ script }) => script));

    // Assess
    expect(scripts).not.toHaveLength(0);
    expect(scripts.filter((script) => !named.has(script))).toEqual([]);
  });
});

describe('README: layout', () => {
  const paths = layoutPaths(readme);

  it('reads entries, nested directories and the files their descriptions name', () => {
    // Prepare
    const sample = [
      '## Layout',
      '',
      '```',
      'top.yaml          a file (with a remark)',
      'src/',
      '  lib/            a.ts (the a), b.mjs: the b, and',
      '                  c.json',
      'docs/             d.md',
      '```',
    ].join('\n');

    // Act
    const found = layoutPaths(sample);

    // Assess
    expect(found.sort()).toEqual(
      [
        'docs/',
        'docs/d.md',
        'src/',
        'src/lib/',
        'src/lib/a.ts',
        'src/lib/b.mjs',
        'src/lib/c.json',
        'top.yaml',
      ].sort(),
    );
  });

  it('names only paths that exist', () => {
    expect(paths).toEqual(expect.arrayContaining(['functions/shared/binding.ts', 'test/tooling/']));
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('lists every script', () => {
    // Prepare
    const files = readdirSync(join(ROOT, 'scripts')).map((file) => `scripts/${file}`);

    // Assess
    expect(files).not.toHaveLength(0);
    expect(files.filter((file) => !paths.includes(file))).toEqual([]);
  });
});

/** The README's parameter tables: a bold group label, then rows of `| \`Name\` | default | ... |`. */
function parameterTables(markdown: string): { label: string; rows: [string, string][] }[] {
  const tables = [
    ...markdown.matchAll(
      /^\*\*([^*\n]+)\*\*\n\n\| parameter \| default \| meaning \|\n\|---\|---\|---\|\n((?:\|.*\n)+)/gm,
    ),
  ];
  return tables.map((match) => ({
    label: match[1] ?? '',
    rows: (match[2] ?? '')
      .trim()
      .split('\n')
      .map((row) => {
        const [, name = '', defaultText = ''] = /^\| `([^`]+)` \| ([^|]+) \|/.exec(row) ?? [];
        return [name, defaultText.trim()];
      }),
  }));
}

/** How the README writes a parameter's default. */
const defaultText = (parameter: { Default?: unknown } | undefined): string => {
  if (parameter?.Default === undefined) return 'none: required';
  return parameter.Default === '' ? 'empty' : `\`${String(parameter.Default)}\``;
};

describe('README: what a deployer needs', () => {
  const template = loadTemplate();

  it('reads the parameter tables it checks, so that the checks below can fail', () => {
    // Prepare
    const sample = [
      '**Group**',
      '',
      '| parameter | default | meaning |',
      '|---|---|---|',
      '| `A` | empty | a |',
      '| `B` | `443` | b |',
      '',
    ].join('\n');

    // Act
    const tables = parameterTables(sample);

    // Assess
    expect(tables).toEqual([
      {
        label: 'Group',
        rows: [
          ['A', 'empty'],
          ['B', '`443`'],
        ],
      },
    ]);
  });

  it("documents every parameter in the console's groups and order, with its default", () => {
    // Prepare
    const groups = (
      template.Metadata as {
        'AWS::CloudFormation::Interface': {
          ParameterGroups: { Label: { default: string }; Parameters: string[] }[];
        };
      }
    )['AWS::CloudFormation::Interface'].ParameterGroups;

    // Act
    const tables = parameterTables(readme);

    // Assess
    expect(tables).toEqual(
      groups.map(({ Label, Parameters }) => ({
        label: Label.default,
        rows: Parameters.map((name) => [name, defaultText(template.Parameters?.[name])]),
      })),
    );
  });

  it('has a row in the metrics table for every metric of its own that an alarm watches', () => {
    // Prepare
    const metrics = readme.slice(readme.indexOf('| metric | meaning |'));
    const watched = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm')
      .map((resource) => resource.Properties ?? {})
      .filter((properties) => properties.Namespace === 'AlbStaticIp')
      .map((properties) => String(properties.MetricName));

    // Assess
    expect(watched).toEqual(expect.arrayContaining(['SyncErrors', 'IpsOutsideNlbZones']));
    for (const metric of watched) expect(metrics).toContain(`| \`${metric}\` |`);
  });

  it('names the permissions API Gateway needs to make the VPC link, when the template makes one', () => {
    // Prepare
    const makesVpcLink = Object.values(template.Resources).some(
      (resource) => resource.Type === 'AWS::ApiGateway::VpcLink',
    );
    const needs = readme.slice(
      readme.indexOf('### What you need'),
      readme.indexOf('### Availability Zones'),
    );

    // Assess
    expect(makesVpcLink).toBe(true);
    for (const action of [
      'ec2:CreateVpcEndpointServiceConfiguration',
      'ec2:DeleteVpcEndpointServiceConfigurations',
      'ec2:DescribeVpcEndpointServiceConfigurations',
      'ec2:ModifyVpcEndpointServicePermissions',
    ]) {
      expect(needs).toContain(`\`${action}\``);
    }
  });

  it('says which parameters the rules refuse, naming each parameter a rule reads', () => {
    // Prepare
    const checked = readme.slice(
      readme.indexOf('### What is checked before anything is created'),
      readme.indexOf('### What gets created'),
    );
    const refs = [...JSON.stringify(template.Rules ?? {}).matchAll(/"Ref":"(\w+)"/g)].map(
      ([, name]) => name ?? '',
    );

    // Assess
    expect(refs).not.toHaveLength(0);
    for (const name of new Set(refs)) expect(checked).toContain(`\`${name}\``);
  });
});

/** The paragraph of a markdown text that starts with `opening`, up to the next blank line. */
function paragraphStarting(markdown: string, opening: string): string {
  const start = markdown.indexOf(opening);
  if (start === -1) throw new Error(`no paragraph starts with ${opening}`);
  const end = markdown.indexOf('\n\n', start);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** The row of a markdown table whose first cell is `cell`. */
function rowOf(markdown: string, cell: string): string {
  const row = markdown.split('\n').find((line) => line.startsWith(`| ${cell} |`));
  if (row === undefined) throw new Error(`no table row for ${cell}`);
  return row;
}

describe('README and docs: what AWS allows', () => {
  const template = loadTemplate();

  it('says a service-managed stack set cannot deploy template.yaml, whose SAM transform is a macro', () => {
    // Prepare: CreateStackSet's Capabilities: "StackSets with service-managed permissions don't
    // currently support the use of macros in templates. (This includes the AWS::Include and
    // AWS::Serverless transforms ...)"
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html
    const transforms = [template.Transform].flat();

    // Act
    const stackSets = paragraphStarting(readme, '**StackSets.**');

    // Assess
    expect(transforms).toContain('AWS::Serverless-2016-10-31');
    expect(stackSets).toContain('`AWS::Serverless-2016-10-31`');
    expect(stackSets).toContain(
      'https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStackSet.html',
    );
    expect(stackSets).not.toMatch(/deploy `template\.yaml` per account instead/);
  });

  it('says turning CreateNlbSecurityGroup on for an existing NLB fails and is rolled back, not that it replaces the NLB', () => {
    // Prepare: CloudFormation updates SecurityGroups with no interruption, and SetSecurityGroups
    // refuses a group for an NLB created without one.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetSecurityGroups.html
    const nlb = template.Resources.NetworkLoadBalancer?.Properties ?? {};

    // Act
    const row = rowOf(readme, '`CreateNlbSecurityGroup`');
    const upgrading = paragraphStarting(readme, '**Upgrading a stack whose NLB exists:**');

    // Assess
    expect(nlb).toHaveProperty('SecurityGroups');
    for (const text of [row, upgrading]) {
      expect(text).toMatch(
        /fails the update, and CloudFormation rolls it back|The update fails, and CloudFormation rolls it back/,
      );
      expect(text).not.toMatch(/replaces the NLB|must make a new NLB|Replacement: True/);
    }
    expect(upgrading).toContain('#cfn-elasticloadbalancingv2-loadbalancer-securitygroups');
    expect(upgrading).toContain('`ElasticIpAllocationIds`');
    expect(upgrading).toContain('`PrivateIpAddresses`');
  });

  it("says how to delete a stack whose NLB is protected, and that the stack's delete stops there", () => {
    // Prepare: a protected load balancer cannot be deleted, by anyone, a stack delete included,
    // until deletion_protection.enabled is false.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-load-balancer-attributes.html#deletion-protection
    const parameter = template.Parameters?.NlbDeletionProtection;
    const attributes = template.Resources.NetworkLoadBalancer?.Properties?.LoadBalancerAttributes;

    // Act
    const tearDown = readme.slice(readme.indexOf('### Tear down'), readme.indexOf('### Packaging'));
    const protection = paragraphStarting(tearDown, "**Then the NLB's deletion protection.**");

    // Assess
    expect(parameter).toMatchObject({ Default: 'false' });
    expect(attributes).toContainEqual({
      Key: 'deletion_protection.enabled',
      Value: { Ref: 'NlbDeletionProtection' },
    });
    expect(tearDown.indexOf(protection)).toBeLessThan(tearDown.indexOf('**Then the stack:**'));
    expect(protection).toContain('`DELETE_FAILED`');
    expect(protection).toContain('`NlbDeletionProtection` `false`');
    expect(tearDown).toContain('--logical-resource-id NetworkLoadBalancer');
    expect(tearDown).toContain('--attributes Key=deletion_protection.enabled,Value=false');
  });

  it('says what an NLB access log bucket must allow, and that only a TLS NLB writes logs', () => {
    // Prepare: access logs are made for TLS listeners only, into a bucket in the NLB's Region
    // whose policy lets the log delivery service write them.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html
    const rows = readme.split('\n').filter((line) => line.startsWith('| `NlbAccessLogBucket` |'));

    // Assess: the parameter's row, then the macro property's, which refers to it.
    expect(rows).toHaveLength(2);
    const [parameter, property] = rows as [string, string];
    expect(parameter).toContain('`delivery.logs.amazonaws.com`');
    expect(parameter).toContain('`s3:PutObject` on `AWSLogs/ACCOUNT/*`');
    expect(parameter).toContain('`s3:GetBucketAcl`');
    expect(parameter).toContain('TLS listeners only');
    expect(parameter).toContain('network/load-balancer-access-logs.html');
    expect(property).toContain('refused without `CertificateArn`');
    expect(readme).toContain('- `NlbAccessLogBucket` without `CertificateArn`:');
  });

  it('names every resource of the template that needs CAPABILITY_RESOURCE_POLICY in the SAR doc', () => {
    // Prepare: the types the Serverless Application Repository lists for this capability.
    // https://docs.aws.amazon.com/serverlessrepo/latest/devguide/acknowledging-application-capabilities.html
    const needsResourcePolicy = [
      'AWS::Lambda::LayerVersionPermission',
      'AWS::Lambda::Permission',
      'AWS::Events::EventBusPolicy',
      'AWS::IAM::Policy',
      'AWS::ApplicationAutoScaling::ScalingPolicy',
      'AWS::S3::BucketPolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SNS::TopicPolicy',
    ];
    const used = new Set(
      Object.values(template.Resources)
        .map((resource) => resource.Type)
        .filter((type) => needsResourcePolicy.includes(type)),
    );
    const sar = readFileSync(join(ROOT, 'docs', 'serverless-application-repository.md'), 'utf8');

    // Act
    const row = rowOf(sar, '`CAPABILITY_RESOURCE_POLICY`');

    // Assess
    expect(used).toContain('AWS::Events::EventBusPolicy');
    for (const type of used) expect(row, type).toContain(`\`${type}\``);
  });
});
