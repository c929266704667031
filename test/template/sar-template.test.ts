// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation's Fn::Sub notation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listedIn,
  readSupportedTypes,
  SAR_PACK_RULES,
  sarPackOptions,
  sarPackTemplate,
} from '../../scripts/sar-pack.mjs';
import { SarTemplateError, sarTemplate } from '../../scripts/sar-template.mjs';
import { budgetFor } from '../support/work-budget.js';
import {
  lintTemplates,
  loadTemplate,
  ROOT,
  resourcesOfType,
  samTransform,
  type Template,
} from './cloudformation.js';
import { type Deployment, deploy, RuleViolationError } from './evaluate.js';
import { ALB, TG_A, TG_B } from './sample-arns.js';

// The Serverless Application Repository (SAR) release: template.yaml partially evaluated with the
// NLB's condition fixed to false (scripts/sar-template.mjs, scripts/sar-pack.mjs). First the
// evaluation on small templates, one rule at a time; then on template.yaml itself, whose release
// must hold only listed types, before and after the SAM transform, and deploy, on paper, what
// template.yaml deploys for every set of parameters the release accepts.

const everyType = () => true;
const ifThen = (condition: string, yes: unknown, no: unknown) => ({
  'Fn::If': [condition, yes, no],
});
const NO_VALUE = { Ref: 'AWS::NoValue' };
const equals = (parameter: string, value: string) => ({
  'Fn::Equals': [{ Ref: parameter }, value],
});
/** A rule whose one assertion reads a parameter only the NLB needs (VpcId) beside a kept one. */
const MIXED_RULE = {
  Assertions: [
    {
      Assert: { 'Fn::Or': [equals('VpcId', ''), equals('Alb', '')] },
      AssertDescription: 'reads both',
    },
  ],
};
const queue = (properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::SQS::Queue',
  ...extra,
  Properties: properties,
});

/** Two parameters, one condition on each, and CreateNlb on both. */
const withNlb = (): Template => ({
  Parameters: {
    Alb: { Type: 'String', Default: '' },
    VpcId: { Type: 'String', Default: '' },
  },
  Conditions: {
    HasAlb: { 'Fn::Not': [equals('Alb', '')] },
    HasVpc: { 'Fn::Not': [equals('VpcId', '')] },
    CreateNlb: { 'Fn::And': [{ Condition: 'HasAlb' }, { Condition: 'HasVpc' }] },
  },
  Resources: {
    Nlb: {
      Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      Condition: 'CreateNlb',
      Properties: { Subnets: [{ Ref: 'VpcId' }] },
    },
    Queue: queue({ QueueName: ifThen('HasAlb', { Ref: 'Alb' }, NO_VALUE) }),
  },
  Outputs: {
    NlbArn: { Condition: 'CreateNlb', Value: { Ref: 'Nlb' } },
    QueueUrl: { Value: { Ref: 'Queue' } },
  },
});

/** The problems a SarTemplateError lists, or a failure if the call does not throw one. */
function problemsOf(make: () => unknown): string[] {
  try {
    make();
  } catch (error) {
    if (error instanceof SarTemplateError) return error.problems;
    throw error;
  }
  throw new Error('expected a SarTemplateError');
}

describe('Function: sarTemplate (the template with some conditions known)', () => {
  it('removes a resource whose condition is false, and the outputs that need it', () => {
    // Prepare
    const template = withNlb();

    // Act
    const result = sarTemplate(template, {
      knownConditions: { CreateNlb: false },
      listed: everyType,
    });

    // Assess
    expect(Object.keys(result.Resources)).toEqual(['Queue']);
    expect(result.Outputs).toEqual({ QueueUrl: { Value: { Ref: 'Queue' } } });
  });

  it('drops a condition that holds, and renames one that reduces to another', () => {
    // Prepare: Both is HasAlb once Ready is known true.
    const template: Template = {
      Parameters: { Alb: { Type: 'String' } },
      Conditions: {
        Ready: equals('Alb', 'x'),
        HasAlb: { 'Fn::Not': [equals('Alb', '')] },
        Both: { 'Fn::And': [{ Condition: 'Ready' }, { Condition: 'HasAlb' }] },
      },
      Resources: {
        Always: queue({}, { Condition: 'Ready' }),
        WithAlb: queue({ QueueName: ifThen('Both', 'named', NO_VALUE) }, { Condition: 'Both' }),
      },
    };

    // Act
    const result = sarTemplate(template, { knownConditions: { Ready: true }, listed: everyType });

    // Assess
    expect(result.Resources.Always).toEqual(queue());
    expect(result.Resources.WithAlb).toEqual(
      queue({ QueueName: ifThen('HasAlb', 'named', NO_VALUE) }, { Condition: 'HasAlb' }),
    );
    expect(result.Conditions).toEqual({ HasAlb: { 'Fn::Not': [equals('Alb', '')] } });
  });

  it('reduces Fn::And, Fn::Or and Fn::Not with known and unknown operands', () => {
    // Prepare: F and T known, U and V not.
    const reduced = {
      AndFalse: { 'Fn::And': [{ Condition: 'F' }, { Condition: 'U' }] },
      AndTrue: { 'Fn::And': [{ Condition: 'T' }, { Condition: 'U' }, { Condition: 'V' }] },
      OrTrue: { 'Fn::Or': [{ Condition: 'U' }, { Condition: 'T' }] },
      OrFalse: { 'Fn::Or': [{ Condition: 'F' }, { Condition: 'U' }, { Condition: 'V' }] },
      NotFalse: { 'Fn::Not': [{ Condition: 'F' }] },
      NotUnknown: { 'Fn::Not': [{ Condition: 'U' }] },
      NestedKnown: {
        'Fn::Or': [{ 'Fn::And': [{ Condition: 'T' }, { Condition: 'F' }] }, equals('P', 'x')],
      },
      AliasOfV: { 'Fn::Or': [{ Condition: 'F' }, { Condition: 'V' }] },
      EqualLiterals: { 'Fn::Equals': ['a', 'a'] },
    };
    const template: Template = {
      Parameters: { P: { Type: 'String', Default: '' } },
      Conditions: {
        F: equals('P', 'f'),
        T: equals('P', 't'),
        U: equals('P', 'u'),
        V: equals('P', 'v'),
        ...reduced,
      },
      Resources: {
        Probe: queue(
          Object.fromEntries(Object.keys(reduced).map((name) => [name, ifThen(name, 'yes', 'no')])),
        ),
      },
    };

    // Act
    const result = sarTemplate(template, {
      knownConditions: { F: false, T: true },
      listed: everyType,
    });

    // Assess
    expect(result.Resources.Probe?.Properties).toEqual({
      AndFalse: 'no',
      AndTrue: ifThen('AndTrue', 'yes', 'no'),
      OrTrue: 'yes',
      OrFalse: ifThen('OrFalse', 'yes', 'no'),
      NotFalse: 'yes',
      NotUnknown: ifThen('NotUnknown', 'yes', 'no'),
      NestedKnown: ifThen('NestedKnown', 'yes', 'no'),
      AliasOfV: ifThen('V', 'yes', 'no'),
      EqualLiterals: 'yes',
    });
    expect(result.Conditions).toEqual({
      U: equals('P', 'u'),
      V: equals('P', 'v'),
      AndTrue: { 'Fn::And': [{ Condition: 'U' }, { Condition: 'V' }] },
      OrFalse: { 'Fn::Or': [{ Condition: 'U' }, { Condition: 'V' }] },
      NotUnknown: { 'Fn::Not': [{ Condition: 'U' }] },
      NestedKnown: equals('P', 'x'),
    });
  });

  it('replaces an Fn::If on a known condition by its branch, at any depth', () => {
    // Prepare
    const template = withNlb();
    template.Resources.Queue = queue({
      Tags: [{ Key: 'nlb', Value: ifThen('CreateNlb', { Ref: 'Nlb' }, 'none') }],
      QueueName: ifThen('HasAlb', ifThen('CreateNlb', 'with-nlb', 'alb-only'), 'pack'),
    });

    // Act
    const result = sarTemplate(template, {
      knownConditions: { CreateNlb: false },
      listed: everyType,
    });

    // Assess
    expect(result.Resources.Queue?.Properties).toEqual({
      Tags: [{ Key: 'nlb', Value: 'none' }],
      QueueName: ifThen('HasAlb', 'alb-only', 'pack'),
    });
  });

  it('removes the key or list item that an AWS::NoValue branch leaves, as CloudFormation does', () => {
    // Prepare
    const template = withNlb();
    template.Resources.Queue = queue({
      DelaySeconds: ifThen('CreateNlb', 5, NO_VALUE),
      Tags: [
        { Key: 'a', Value: '1' },
        ifThen('CreateNlb', { Key: 'nlb', Value: { Ref: 'Nlb' } }, NO_VALUE),
        ifThen('HasAlb', { Key: 'alb', Value: ifThen('CreateNlb', 'x', NO_VALUE) }, NO_VALUE),
      ],
    });

    // Act
    const result = sarTemplate(template, {
      knownConditions: { CreateNlb: false },
      listed: everyType,
    });

    // Assess: still decided at deploy time, an AWS::NoValue branch stays one.
    expect(result.Resources.Queue?.Properties).toEqual({
      Tags: [{ Key: 'a', Value: '1' }, ifThen('HasAlb', { Key: 'alb' }, NO_VALUE)],
    });
  });

  it('removes the conditions, parameters, rules and interface entries nothing reads any more', () => {
    // Prepare: VpcId is read only by the NLB and by rules.
    const template: Template = {
      ...withNlb(),
      Metadata: {
        'AWS::CloudFormation::Interface': {
          ParameterGroups: [
            { Label: { default: 'ALB' }, Parameters: ['Alb'] },
            { Label: { default: 'NLB' }, Parameters: ['VpcId'] },
          ],
          ParameterLabels: { Alb: { default: 'ALB ARN' }, VpcId: { default: 'VPC' } },
        },
      },
      Rules: {
        VpcOnly: {
          Assertions: [{ Assert: { 'Fn::Not': [equals('VpcId', 'x')] }, AssertDescription: 'v' }],
        },
        OneOfEach: {
          Assertions: [
            { Assert: { 'Fn::Not': [equals('VpcId', 'y')] }, AssertDescription: 'vpc' },
            { Assert: { 'Fn::Not': [equals('Alb', 'y')] }, AssertDescription: 'alb' },
          ],
        },
        WhenVpc: {
          RuleCondition: equals('VpcId', 'z'),
          Assertions: [{ Assert: equals('VpcId', 'z'), AssertDescription: 'only VpcId' }],
        },
      },
    };

    // Act
    const result = sarTemplate(template, {
      knownConditions: { CreateNlb: false },
      listed: everyType,
    });

    // Assess
    expect(Object.keys(result.Conditions as object)).toEqual(['HasAlb']);
    expect(Object.keys(result.Parameters ?? {})).toEqual(['Alb']);
    expect(result.Rules).toEqual({
      OneOfEach: {
        Assertions: [{ Assert: { 'Fn::Not': [equals('Alb', 'y')] }, AssertDescription: 'alb' }],
      },
    });
    expect(result.Metadata).toEqual({
      'AWS::CloudFormation::Interface': {
        ParameterGroups: [{ Label: { default: 'ALB' }, Parameters: ['Alb'] }],
        ParameterLabels: { Alb: { default: 'ALB ARN' } },
      },
    });
  });

  it('adds the given rules, in place of a rule of the same name', () => {
    // Prepare
    const refusal = {
      RuleCondition: { 'Fn::Not': [equals('Alb', '')] },
      Assertions: [{ Assert: equals('Alb', ''), AssertDescription: 'no NLB here' }],
    };
    const template: Template = {
      ...withNlb(),
      Rules: {
        Mixed: MIXED_RULE,
      },
    };

    // Act
    const result = sarTemplate(template, {
      knownConditions: { CreateNlb: false },
      listed: everyType,
      rules: { Mixed: refusal, Refusal: refusal },
    });

    // Assess
    expect(result.Rules).toEqual({ Mixed: refusal, Refusal: refusal });
  });

  it('refuses a rule that reads a removed parameter beside a kept one, naming it', () => {
    // Prepare
    const template: Template = {
      ...withNlb(),
      Rules: {
        Mixed: MIXED_RULE,
        GuardedByVpc: {
          RuleCondition: equals('VpcId', ''),
          Assertions: [{ Assert: equals('Alb', ''), AssertDescription: 'reads Alb' }],
        },
      },
    };

    // Act
    const problems = problemsOf(() =>
      sarTemplate(template, { knownConditions: { CreateNlb: false }, listed: everyType }),
    );

    // Assess
    expect(problems).toEqual([
      expect.stringMatching(
        /^Rules\.Mixed\.Assertions\[0\] reads removed parameter\(s\) VpcId beside kept ones \(Alb\)/,
      ),
      expect.stringMatching(
        /^Rules\.GuardedByVpc: its RuleCondition reads removed parameter\(s\) VpcId/,
      ),
    ]);
  });

  it('refuses every reference left pointing at a removed resource or parameter', () => {
    // Prepare: the queue reads the NLB in every way a template can.
    const template = withNlb();
    template.Resources.Queue = queue(
      {
        QueueName: { Ref: 'Nlb' },
        Tags: [
          { Key: 'dns', Value: { 'Fn::GetAtt': ['Nlb', 'DNSName'] } },
          { Key: 'sub', Value: { 'Fn::Sub': '${Nlb.LoadBalancerFullName}-${Missing}' } },
          { Key: 'own', Value: { 'Fn::Sub': ['${Own}-${AWS::Region}-${!Literal}', { Own: 'x' }] } },
        ],
      },
      { DependsOn: ['Nlb'] },
    );

    // Act
    const problems = problemsOf(() =>
      sarTemplate(template, { knownConditions: { CreateNlb: false }, listed: everyType }),
    );

    // Assess
    expect(problems).toEqual([
      'Resources.Queue: Ref or Fn::Sub names resource Nlb, which is removed (its condition is false)',
      'Resources.Queue: Ref or Fn::Sub names Missing, which the template does not define',
      'Resources.Queue: Fn::GetAtt names resource Nlb, which is removed (its condition is false)',
      'Resources.Queue: DependsOn names resource Nlb, which is removed (its condition is false)',
    ]);
  });

  it('refuses a resource whose type is not listed, naming it and its type', () => {
    // Prepare
    const listed = (type: string) => type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer';

    // Act: HasAlb, not CreateNlb, is known: the NLB stays.
    const problems = problemsOf(() =>
      sarTemplate(withNlb(), { knownConditions: { HasAlb: true }, listed }),
    );

    // Assess
    expect(problems).toEqual([
      'Resources.Nlb: type AWS::ElasticLoadBalancingV2::LoadBalancer is not on the list of supported types',
    ]);
  });

  it('refuses a known condition that the template does not define', () => {
    expect(
      problemsOf(() =>
        sarTemplate(withNlb(), { knownConditions: { InstallMacro: false }, listed: everyType }),
      ),
    ).toEqual(['knownConditions.InstallMacro: the template has no condition InstallMacro']);
  });

  it('never changes the template it is given', () => {
    // Prepare
    const template = withNlb();
    const before = structuredClone(template);

    // Act
    sarTemplate(template, { knownConditions: { CreateNlb: false }, listed: everyType });

    // Assess
    expect(template).toEqual(before);
  });

  // The oracle is the on-paper deploy (evaluate.ts), which knows nothing of partial evaluation:
  // the template with the known conditions written as constants, and the result, must deploy the
  // same resources and outputs for every value of the parameters.
  it('deploys, on paper, what the template deploys with those conditions, for any parameters', () => {
    const PARAMETERS = ['P0', 'P1', 'P2'];
    const atom = fc
      .tuple(fc.constantFrom(...PARAMETERS), fc.constantFrom('a', 'b'))
      .map(([parameter, value]) => equals(parameter, value));
    const expression = (index: number) =>
      fc.letrec<{ node: unknown }>((tie) => ({
        node: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          atom,
          ...(index === 0 ? [] : [fc.nat(index - 1).map((other) => ({ Condition: `C${other}` }))]),
          fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((all) => ({ 'Fn::And': all })),
          fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((any) => ({ 'Fn::Or': any })),
          tie('node').map((one) => ({ 'Fn::Not': [one] })),
        ),
      })).node;
    const world = fc.integer({ min: 1, max: 6 }).chain((count) =>
      fc.record({
        conditions: fc.tuple(...Array.from({ length: count }, (_, index) => expression(index))),
        known: fc.array(fc.constantFrom(true, false, undefined), {
          minLength: count,
          maxLength: count,
        }),
        values: fc.tuple(...PARAMETERS.map(() => fc.constantFrom('a', 'b'))),
      }),
    );

    fc.assert(
      fc.property(world, ({ conditions, known, values }) => {
        // Prepare: a resource and an output per condition, and a probe of every Fn::If shape.
        const names = conditions.map((_, index) => `C${index}`);
        const template: Template = {
          Parameters: Object.fromEntries(
            PARAMETERS.map((name) => [name, { Type: 'String', Default: 'a' }]),
          ),
          Conditions: Object.fromEntries(names.map((name, index) => [name, conditions[index]])),
          Resources: {
            Probe: queue({
              ...Object.fromEntries(names.map((name) => [name, ifThen(name, name, NO_VALUE)])),
              List: names.map((name) => ifThen(name, NO_VALUE, name)),
            }),
            ...Object.fromEntries(
              names.map((name) => [`Only${name}`, queue({}, { Condition: name })]),
            ),
          },
          Outputs: Object.fromEntries(
            names.map((name) => [`Out${name}`, { Condition: name, Value: { Ref: `Only${name}` } }]),
          ),
        };
        const knownConditions = Object.fromEntries(
          names.flatMap((name, index) =>
            known[index] === undefined ? [] : [[name, known[index] as boolean]],
          ),
        );
        const fixed = structuredClone(template);
        for (const [name, value] of Object.entries(knownConditions)) {
          (fixed.Conditions as Record<string, unknown>)[name] = {
            'Fn::Equals': ['same', value ? 'same' : 'other'],
          };
        }
        const parameters = Object.fromEntries(
          PARAMETERS.map((name, index) => [name, values[index] as string]),
        );

        // Act
        const result = sarTemplate(template, { knownConditions, listed: everyType });

        // Assess
        const expected: Deployment = deploy(fixed, parameters);
        const actual: Deployment = deploy(result, parameters);
        expect(actual.resources).toEqual(expected.resources);
        expect(actual.outputs).toEqual(expected.outputs);
      }),
      { numRuns: 200 },
    );
  });
});

describe("Function: sarPackOptions (template.yaml's release)", () => {
  it("fixes CreateNlb to false, and InstallMacro too while the macro's type is not listed", () => {
    // Prepare
    const withMacro = (type: string) => type === 'AWS::CloudFormation::Macro';
    const withoutMacro = () => false;

    // Act
    const listed = sarPackOptions(withMacro);
    const notListed = sarPackOptions(withoutMacro);

    // Assess
    expect(listed.knownConditions).toEqual({ CreateNlb: false });
    expect(notListed.knownConditions).toEqual({ CreateNlb: false, InstallMacro: false });
    expect(listed.rules).toBe(SAR_PACK_RULES);
  });
});

// ------------------------------------------------------------------------------ template.yaml

const record = readSupportedTypes(ROOT);
const listed = listedIn(record);
const NLB_TYPES = [
  'AWS::EC2::EIP',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::ElasticLoadBalancingV2::Listener',
];
const NLB_PARAMETERS = [
  'VpcId',
  'SubnetIds',
  'Scheme',
  'ElasticIpAllocationIds',
  'PrivateIpAddresses',
  'ListenerPorts',
  'CertificateArn',
  'CreateVpcLink',
];
/** What the SAM transform is given; the types it makes do not depend on it. */
const TRANSFORM_PARAMETERS = { LoadBalancerArn: ALB };

/** Parameters that the release accepts, each a deploy it must make as template.yaml does. */
const ACCEPTED: Record<string, Record<string, string>> = {
  'the pack alone (no LoadBalancerArn)': {},
  'the pack, with alarms to a topic and debug logs': {
    AlarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:alarms',
    LogLevel: 'DEBUG',
  },
  'adopting two target groups': {
    LoadBalancerArn: ALB,
    ExistingTargetGroupArns: `${TG_A},${TG_B}`,
  },
  'adopting one, schedule only, reserved concurrency': {
    LoadBalancerArn: ALB,
    ExistingTargetGroupArns: TG_A,
    ReactToEniEvents: 'false',
    ReservedConcurrency: '2',
  },
};

describe("template.yaml's release for the Serverless Application Repository", () => {
  const template = loadTemplate();
  let directory = '';
  let release: Template;
  let releaseTransformed: Template;
  let findings: string[] = [];

  beforeAll(
    async () => {
      directory = mkdtempSync(join(tmpdir(), 'alb-static-ip-sar-'));
      const path = join(directory, 'sar-pack.json');
      release = sarPackTemplate(template, record);
      writeFileSync(path, JSON.stringify(release, null, 2));
      // cfn-lint runs while the transform does: two processes, on two cores.
      const linting = lintTemplates([path]);
      releaseTransformed = samTransform(path, TRANSFORM_PARAMETERS);
      findings = (await linting).get(path) ?? [];
    },
    budgetFor({ samTransform: 1, cfnLint: 1 }),
  );

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('holds only types the record lists, before and after the SAM transform', () => {
    const types = (of: Template) => [...new Set(Object.values(of.Resources).map((r) => r.Type))];
    expect(types(release).filter((type) => !listed(type))).toEqual([]);
    expect(types(releaseTransformed).filter((type) => !listed(type))).toEqual([]);
  });

  it('passes cfn-lint with no error, warning or informational finding', () => {
    expect(findings).toEqual([]);
  });

  it('creates no NLB, Elastic IP, target group or listener, and takes none of their parameters', () => {
    for (const type of NLB_TYPES) {
      expect(resourcesOfType(releaseTransformed, type), type).toEqual([]);
    }
    expect(Object.keys(release.Parameters ?? {}).filter((p) => NLB_PARAMETERS.includes(p))).toEqual(
      [],
    );
  });

  it('keeps the shared functions, their log groups and their service tokens', () => {
    for (const logicalId of [
      'TargetGroupSyncFunction',
      'TargetGroupSyncLogGroup',
      'NlbPrivateIpsFunction',
      'NlbPrivateIpsLogGroup',
      'SyncDeadLetterQueue',
    ]) {
      expect(release.Resources[logicalId]?.Type, logicalId).toBe(
        template.Resources[logicalId]?.Type,
      );
    }
    const outputs = release.Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['TargetGroupSyncServiceToken', 'NlbPrivateIpsServiceToken']),
    );
  });

  it('keeps the macro, whose type is listed', () => {
    // Prepare
    const macros = resourcesOfType(template, 'AWS::CloudFormation::Macro');

    // Assess: the record lists the type, so the release installs the macro as template.yaml does.
    expect(listed('AWS::CloudFormation::Macro')).toBe(true);
    expect(macros).not.toEqual([]);
    for (const [logicalId] of macros) {
      expect(release.Resources[logicalId], logicalId).toBeDefined();
    }
  });

  it('names in its interface only the parameters it has', () => {
    const face = (
      release.Metadata as Record<string, { ParameterGroups: { Parameters: string[] }[] }>
    )['AWS::CloudFormation::Interface'];
    const named = (face?.ParameterGroups ?? []).flatMap((group) => group.Parameters);
    expect(named.sort()).toEqual(Object.keys(release.Parameters ?? {}).sort());
  });

  // Both before the SAM transform, which is the same for both: the release must choose the same
  // resources and outputs, with the same properties, as template.yaml does.
  it.each(Object.entries(ACCEPTED))(
    '%s: deploys, on paper, what template.yaml deploys',
    (_, parameters) => {
      // Act
      const expected = deploy(template, parameters);
      const actual = deploy(release, parameters);

      // Assess
      expect(actual.resources).toEqual(expected.resources);
      expect(actual.outputs).toEqual(expected.outputs);
    },
  );

  it('refuses an ALB without target groups to adopt, and says what to do instead', () => {
    // Prepare: template.yaml makes an NLB for this ALB, the release cannot.
    const full = deploy(template, {
      LoadBalancerArn: ALB,
      VpcId: 'vpc-0123456789abcdef0',
      SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
    });
    expect(Object.values(full.resources).map((resource) => resource.Type)).toContain(
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
    );

    // Act
    let refusal: unknown;
    try {
      deploy(release, { LoadBalancerArn: ALB });
    } catch (error) {
      refusal = error;
    }

    // Assess
    expect(refusal).toBeInstanceOf(RuleViolationError);
    expect((refusal as RuleViolationError).failed).toEqual([
      {
        rule: 'AlbNeedsExistingTargetGroups',
        description: expect.stringMatching(
          /cannot create the NLB.*Give ExistingTargetGroupArns.*clear LoadBalancerArn.*deploy template\.yaml/,
        ),
      },
    ]);
  });

  it('is recorded with where each type was seen', () => {
    const evidence = JSON.parse(
      readFileSync(join(ROOT, 'docs', 'sar-supported-resource-types.json'), 'utf8'),
    ).evidence as Record<string, { status: string }>;
    for (const [type, seen] of Object.entries(evidence)) {
      expect(seen.status, type).toBe(record.types[type]);
    }
  });
});
