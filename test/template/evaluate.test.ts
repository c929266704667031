// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation's Fn::Sub notation.
import { describe, expect, it } from 'vitest';
import type { Template } from './cloudformation.js';
import {
  deploy,
  evaluateRules,
  GetAtt,
  getAtt,
  JoinedGetAtt,
  RuleViolationError,
  SelectedGetAtt,
  type Value,
} from './evaluate.js';

// The evaluator the template tests deploy on paper with, tested on small templates of its own. The
// expected values are what CloudFormation gives (the intrinsic function reference), with the
// evaluator's made-up ids and its GetAtt values where CloudFormation would have physical ones.
const TG_ARN =
  /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/group\/[0-9a-f]{16}$/;
const NLB_ARN =
  /^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/net\/nlb\/[0-9a-f]{16}$/;

const TEMPLATE: Template = {
  Parameters: {
    Mode: { Type: 'String', Default: 'a' },
    Names: { Type: 'CommaDelimitedList', Default: 'x,y' },
    Ports: { Type: 'List<Number>', Default: '443,80' },
    Empty: { Type: 'CommaDelimitedList', Default: '' },
  },
  Conditions: {
    IsA: { 'Fn::Equals': [{ Ref: 'Mode' }, 'a'] },
    IsB: { 'Fn::Equals': ['b', { Ref: 'Mode' }] },
    AOrB: { 'Fn::Or': [{ Condition: 'IsA' }, { Condition: 'IsB' }] },
    NotA: { 'Fn::Not': [{ Condition: 'IsA' }] },
    AWithY: {
      'Fn::And': [
        { Condition: 'IsA' },
        { 'Fn::Equals': [{ 'Fn::Select': [1, { Ref: 'Names' }] }, 'y'] },
      ],
    },
  },
  Resources: {
    Group: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup' },
    Nlb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer' },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'Mode' } } },
    Db: { Type: 'AWS::RDS::DBInstance' },
    Ips: { Type: 'AWS::CloudFormation::CustomResource' },
    OnlyB: { Type: 'AWS::SQS::Queue', Condition: 'IsB', DependsOn: 'Queue' },
  },
  Outputs: {
    Always: { Value: 'here' },
    OnlyA: { Condition: 'IsA', Value: 'a' },
  },
};

/** What one template value deploys to, as an output of TEMPLATE. */
const resolved = (value: unknown, parameters: Record<string, string> = {}): Value | undefined =>
  deploy({ ...TEMPLATE, Outputs: { Value: { Value: value } } }, parameters).outputs.Value;

describe('Function: deploy (intrinsic functions)', () => {
  it.each<[string, unknown, Record<string, string>, unknown]>([
    ['Ref to a String parameter: its default', { Ref: 'Mode' }, {}, 'a'],
    ['Ref to a String parameter: the value given', { Ref: 'Mode' }, { Mode: 'b' }, 'b'],
    ['Ref to a CommaDelimitedList: a list', { Ref: 'Names' }, {}, ['x', 'y']],
    ['Ref to a List<Number>: a list of strings', { Ref: 'Ports' }, {}, ['443', '80']],
    ['Ref to an empty CommaDelimitedList: one empty string', { Ref: 'Empty' }, {}, ['']],
    ['Ref to AWS::Region', { Ref: 'AWS::Region' }, {}, 'us-east-1'],
    ['Ref to AWS::AccountId', { Ref: 'AWS::AccountId' }, {}, '123456789012'],
    [
      'Ref to AWS::StackId: an ARN ending in a UUID',
      { Ref: 'AWS::StackId' },
      {},
      expect.stringMatching(
        /^arn:aws:cloudformation:us-east-1:123456789012:stack\/alb-static-ip\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/,
      ),
    ],
    ['Ref to a target group: an ARN', { Ref: 'Group' }, {}, expect.stringMatching(TG_ARN)],
    ['Ref to a load balancer: an ARN', { Ref: 'Nlb' }, {}, expect.stringMatching(NLB_ARN)],
    ['Ref to another resource: a made-up id', { Ref: 'Queue' }, {}, 'Queue-ref'],
    ['AWS::NoValue in a list: no item', ['a', { Ref: 'AWS::NoValue' }, 'b'], {}, ['a', 'b']],
    ['AWS::NoValue in a map: no key', { K: { Ref: 'AWS::NoValue' }, L: 1 }, {}, { L: 1 }],
    ['Fn::If, condition true', { 'Fn::If': ['IsA', 'yes', 'no'] }, {}, 'yes'],
    ['Fn::If, condition false', { 'Fn::If': ['IsA', 'yes', 'no'] }, { Mode: 'b' }, 'no'],
    [
      'Fn::If to AWS::NoValue: no key',
      { K: { 'Fn::If': ['IsB', 'b', { Ref: 'AWS::NoValue' }] } },
      {},
      {},
    ],
    ['Fn::Equals of lists', { 'Fn::Equals': [{ Ref: 'Names' }, ['x', 'y']] }, {}, true],
    ['Fn::Select', { 'Fn::Select': [1, { Ref: 'Names' }] }, {}, 'y'],
    ['Fn::Select, the index a string', { 'Fn::Select': ['0', ['p', 'q']] }, {}, 'p'],
    ['Fn::Split', { 'Fn::Split': [',', 'a,b,,c'] }, {}, ['a', 'b', '', 'c']],
    ['Fn::Join of a list', { 'Fn::Join': ['-', { Ref: 'Names' }] }, {}, 'x-y'],
    [
      'Fn::Join with an attribute among the items: its ${} notation',
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Queue', 'Arn'] }, '/*']] },
      {},
      '${Queue.Arn}/*',
    ],
    [
      'Fn::Join of a list attribute: a JoinedGetAtt',
      { 'Fn::Join': [',', { 'Fn::GetAtt': ['Ips', 'PrivateIps'] }] },
      {},
      new JoinedGetAtt(',', new GetAtt('Ips', 'PrivateIps')),
    ],
    [
      'Fn::Select of a list attribute: a SelectedGetAtt',
      { 'Fn::Select': ['1', { 'Fn::GetAtt': ['Ips', 'Cidrs'] }] },
      {},
      new SelectedGetAtt(1, new GetAtt('Ips', 'Cidrs')),
    ],
    [
      'Fn::Sub of parameters and pseudo parameters',
      { 'Fn::Sub': '${AWS::StackName}-${Mode}' },
      {},
      'alb-static-ip-a',
    ],
    [
      'Fn::Sub with variables',
      { 'Fn::Sub': ['${First}/${Mode}', { First: { 'Fn::Select': [0, { Ref: 'Names' }] } }] },
      {},
      'x/a',
    ],
    ['Fn::Sub of ${!Literal}: the literal', { 'Fn::Sub': 'a${!Literal}b' }, {}, 'a${Literal}b'],
    ['Fn::Sub of a resource: its made-up id', { 'Fn::Sub': 'q=${Queue}' }, {}, 'q=Queue-ref'],
    [
      'Fn::Sub of an attribute: its ${} notation',
      { 'Fn::Sub': 'arn=${Queue.Arn}' },
      {},
      'arn=${Queue.Arn}',
    ],
    [
      'Fn::Sub of a variable that is an attribute: its ${} notation',
      { 'Fn::Sub': ['arn=${Q}', { Q: { 'Fn::GetAtt': 'Queue.Arn' } }] },
      {},
      'arn=${Queue.Arn}',
    ],
    ['Fn::GetAtt, list form', { 'Fn::GetAtt': ['Queue', 'Arn'] }, {}, getAtt('Queue', 'Arn')],
    ['Fn::GetAtt, string form', { 'Fn::GetAtt': 'Queue.Arn' }, {}, getAtt('Queue', 'Arn')],
    [
      'Fn::GetAtt of a dotted attribute: split at the first dot',
      { 'Fn::GetAtt': 'Db.Endpoint.Address' },
      {},
      getAtt('Db', 'Endpoint.Address'),
    ],
  ])('resolves %s', (_, value, parameters, expected) => {
    // Act
    const result = resolved(value, parameters);

    // Assess
    expect(result).toEqual(expected);
  });

  it('returns Fn::GetAtt as a GetAtt value, not as a string', () => {
    // Act
    const result = resolved({ 'Fn::GetAtt': 'Queue.Arn' });

    // Assess
    expect(result).toBeInstanceOf(GetAtt);
    expect(result).toStrictEqual(new GetAtt('Queue', 'Arn'));
    expect(`${result}`).toBe('${Queue.Arn}');
  });

  it.each<[string, Record<string, string>, Record<string, boolean>]>([
    ['Mode a', {}, { IsA: true, IsB: false, AOrB: true, NotA: false, AWithY: true }],
    ['Mode b', { Mode: 'b' }, { IsA: false, IsB: true, AOrB: true, NotA: true, AWithY: false }],
    ['Mode c', { Mode: 'c' }, { IsA: false, IsB: false, AOrB: false, NotA: true, AWithY: false }],
  ])(
    'evaluates every condition (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition): %s',
    (_, parameters, expected) => {
      // Act
      const deployment = deploy(TEMPLATE, parameters);

      // Assess
      expect(deployment.conditions).toEqual(expected);
    },
  );

  it('keeps the resources and outputs whose condition holds, their properties resolved', () => {
    // Act
    const a = deploy(TEMPLATE, {});
    const b = deploy(TEMPLATE, { Mode: 'b' });

    // Assess
    expect(Object.keys(a.resources).sort()).toEqual(['Db', 'Group', 'Ips', 'Nlb', 'Queue']);
    expect(b.resources.OnlyB).toEqual({
      Type: 'AWS::SQS::Queue',
      Properties: {},
      DependsOn: 'Queue',
    });
    expect(a.resources.Queue).toEqual({ Type: 'AWS::SQS::Queue', Properties: { QueueName: 'a' } });
    expect(a.outputs).toEqual({ Always: 'here', OnlyA: 'a' });
    expect(b.outputs).toEqual({ Always: 'here' });
  });

  it.each<[string, unknown, RegExp]>([
    [
      'Fn::Select out of range',
      { 'Fn::Select': [2, { Ref: 'Names' }] },
      /^Fn::Select 2 of \["x","y"\]: out of range$/,
    ],
    [
      'Fn::Split of an attribute',
      { 'Fn::Split': [',', { 'Fn::GetAtt': 'Ips.PrivateIps' }] },
      /^Fn::Split: expected a string/,
    ],
    ['Fn::Join of a string', { 'Fn::Join': [',', 'a'] }, /^Fn::Join of "a"$/],
    [
      'Fn::GetAtt of an unknown resource',
      { 'Fn::GetAtt': 'Nothing.Arn' },
      /^Fn::GetAtt of unknown Nothing$/,
    ],
    [
      'Fn::GetAtt without an attribute',
      { 'Fn::GetAtt': 'Queue' },
      /^Fn::GetAtt resource: expected a string/,
    ],
    [
      'Fn::GetAtt of a map',
      { 'Fn::GetAtt': { Ref: 'Queue' } },
      /^Fn::GetAtt resource: expected a string/,
    ],
    [
      'Fn::Sub of an unknown resource',
      { 'Fn::Sub': '${Nothing.Arn}' },
      /^Fn::GetAtt of unknown Nothing$/,
    ],
    ['Ref to an unknown name', { Ref: 'Nothing' }, /^cannot resolve Ref Nothing$/],
    ['Fn::If of an unknown condition', { 'Fn::If': ['Missing', 1, 2] }, /^no condition Missing$/],
    ['Fn::FindInMap', { 'Fn::FindInMap': ['M', 'k', 'v'] }, /^cannot resolve Fn::FindInMap$/],
    ['Fn::ImportValue', { 'Fn::ImportValue': 'shared' }, /^cannot resolve Fn::ImportValue$/],
    ['Fn::GetAZs', { 'Fn::GetAZs': '' }, /^cannot resolve Fn::GetAZs$/],
    ['Fn::Base64', { 'Fn::Base64': 'text' }, /^cannot resolve Fn::Base64$/],
  ])('refuses %s', (_, value, message) => {
    expect(() => resolved(value)).toThrow(message);
  });

  it('refuses a parameter with no value and no default, naming it', () => {
    // Prepare
    const template: Template = {
      ...TEMPLATE,
      Parameters: { ...TEMPLATE.Parameters, Required: { Type: 'String' } },
      Outputs: { Value: { Value: { Ref: 'Required' } } },
    };

    // Act, Assess
    expect(() => deploy(template, {})).toThrow(/^parameter Required has no value and no default$/);
    expect(deploy(template, { Required: 'r' }).outputs.Value).toBe('r');
  });

  it('takes pseudo parameters in place of the defaults, in conditions, values and rules', () => {
    // Prepare
    const template: Template = {
      Resources: {},
      Rules: {
        NotInParis: {
          Assertions: [
            {
              Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-3'] }] },
              AssertDescription: 'not in Paris',
            },
          ],
        },
      },
      Conditions: { InJakarta: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'ap-southeast-3'] } },
      Outputs: { Name: { Value: { 'Fn::Sub': '${AWS::StackName} in ${AWS::Region}' } } },
    };
    const jakarta = { 'AWS::Region': 'ap-southeast-3', 'AWS::StackName': 'other' };

    // Act
    const there = deploy(template, {}, { pseudoParameters: jakarta });
    const here = deploy(template, {});

    // Assess
    expect(there.conditions).toEqual({ InJakarta: true });
    expect(there.outputs).toEqual({ Name: 'other in ap-southeast-3' });
    expect(here.conditions).toEqual({ InJakarta: false });
    expect(here.outputs).toEqual({ Name: 'alb-static-ip in us-east-1' });
    expect(() =>
      deploy(template, {}, { pseudoParameters: { 'AWS::Region': 'eu-west-3' } }),
    ).toThrow(RuleViolationError);
  });

  it('refuses a pseudo parameter it does not know, naming it', () => {
    expect(() => deploy(TEMPLATE, {}, { pseudoParameters: { 'AWS::Regoin': 'x' } })).toThrow(
      /^not a pseudo parameter: AWS::Regoin$/,
    );
  });

  it('names the innermost condition it could not evaluate', () => {
    // Prepare
    const template: Template = {
      ...TEMPLATE,
      Conditions: {
        Outer: { 'Fn::Not': [{ Condition: 'Broken' }] },
        Broken: { 'Fn::Equals': [{ 'Fn::Select': [5, { Ref: 'Names' }] }, 'x'] },
      },
    };

    // Act, Assess
    expect(() => deploy(template, {})).toThrow(
      /^condition Broken: Fn::Select 5 of .*: out of range$/,
    );
  });
});

describe('Function: evaluateRules', () => {
  const template = (rules: unknown): Template => ({
    Parameters: {
      Mode: { Type: 'String', Default: 'a' },
      Names: { Type: 'CommaDelimitedList', Default: 'x,y' },
    },
    Rules: rules,
    Resources: {},
  });
  const assertion = (assert: unknown) => ({
    Only: { Assertions: [{ Assert: assert, AssertDescription: 'Mode must be a.' }] },
  });
  const holds = (assert: unknown, parameters: Record<string, string> = {}) =>
    evaluateRules(template(assertion(assert)), parameters).length === 0;
  const isA = { 'Fn::Equals': [{ Ref: 'Mode' }, 'a'] };
  const isB = { 'Fn::Equals': [{ Ref: 'Mode' }, 'b'] };

  it.each<[string, unknown, Record<string, string>, boolean]>([
    ['Fn::Equals of a parameter, equal', isA, {}, true],
    ['Fn::Equals of a parameter, not equal', isA, { Mode: 'b' }, false],
    [
      'Fn::Equals of a list parameter and a list',
      { 'Fn::Equals': [{ Ref: 'Names' }, ['x', 'y']] },
      {},
      true,
    ],
    ['Fn::Not', { 'Fn::Not': [isB] }, {}, true],
    ['Fn::And, one false', { 'Fn::And': [isA, isB] }, {}, false],
    ['Fn::And, all true', { 'Fn::And': [isA, { 'Fn::Not': [isB] }] }, {}, true],
    ['Fn::Or, one true', { 'Fn::Or': [isA, isB] }, {}, true],
    ['Fn::Or, none true', { 'Fn::Or': [isA, isB] }, { Mode: 'c' }, false],
    ['Fn::Contains, a member', { 'Fn::Contains': [{ Ref: 'Names' }, 'y'] }, {}, true],
    ['Fn::Contains, not a member', { 'Fn::Contains': [{ Ref: 'Names' }, 'z'] }, {}, false],
    [
      'Fn::EachMemberEquals, not all',
      { 'Fn::EachMemberEquals': [{ Ref: 'Names' }, 'x'] },
      {},
      false,
    ],
    [
      'Fn::EachMemberEquals, all',
      { 'Fn::EachMemberEquals': [{ Ref: 'Names' }, 'x'] },
      { Names: 'x,x' },
      true,
    ],
    [
      'Fn::EachMemberIn, all in',
      { 'Fn::EachMemberIn': [{ Ref: 'Names' }, ['x', 'y', 'z']] },
      {},
      true,
    ],
    ['Fn::EachMemberIn, one out', { 'Fn::EachMemberIn': [{ Ref: 'Names' }, ['x']] }, {}, false],
  ])('evaluates %s', (_, assert, parameters, expected) => {
    expect(holds(assert, parameters)).toBe(expected);
  });

  it('reports the assertions that do not hold, with their description', () => {
    // Prepare
    const rules = {
      Holds: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'Mode' }, 'a'] } }] },
      Fails: {
        Assertions: [
          {
            Assert: { 'Fn::EachMemberIn': [{ Ref: 'Names' }, ['x']] },
            AssertDescription: 'Names must be x.',
          },
        ],
      },
      Skipped: {
        RuleCondition: { 'Fn::Contains': [{ Ref: 'Names' }, 'z'] },
        Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Equals': ['a', 'a'] }] } }],
      },
    };

    // Act
    const failed = evaluateRules(template(rules), {});

    // Assess
    expect(failed).toEqual([{ rule: 'Fails', description: 'Names must be x.' }]);
    expect(evaluateRules(template(rules), { Names: 'x' })).toEqual([]);
  });

  it('makes deploy throw a RuleViolationError that lists them', () => {
    // Prepare
    const rules = template(assertion(isA));

    // Act, Assess
    expect(() => deploy(rules, { Mode: 'b' })).toThrow(RuleViolationError);
    expect(() => deploy(rules, { Mode: 'b' })).toThrow(
      'Rules refuse the parameters: Only: Mode must be a.',
    );
    expect(() => deploy(rules, { Mode: 'b' }, { skipRules: true })).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a function that is not a rule function',
      { 'Fn::Equals': [{ 'Fn::Select': [0, ['a']] }, 'a'] },
      /Fn::Select is not a rule function/,
    ],
    [
      'Fn::ValueOf',
      { 'Fn::Equals': [{ 'Fn::ValueOf': ['Mode', 'VpcId'] }, 'a'] },
      /Fn::ValueOf needs the account's resources/,
    ],
    [
      'Fn::ValueOfAll',
      { 'Fn::EachMemberIn': [{ 'Fn::ValueOfAll': ['AWS::EC2::VPC::Id', 'Tag'] }, ['a']] },
      /Fn::ValueOfAll needs the account's resources/,
    ],
    [
      'Fn::RefAll',
      { 'Fn::Contains': [{ 'Fn::RefAll': 'AWS::EC2::VPC::Id' }, 'a'] },
      /Fn::RefAll needs the account's resources/,
    ],
    [
      'Ref to a resource',
      { 'Fn::Equals': [{ Ref: 'Queue' }, 'a'] },
      /Ref "Queue" is not a parameter/,
    ],
    ['a string where a rule function goes', 'true', /expected a rule function/],
    ['Fn::And of one argument', { 'Fn::And': [true] }, /Fn::And takes 2 to 10 arguments/],
    [
      'Fn::Contains of a string',
      { 'Fn::Contains': [{ Ref: 'Mode' }, 'a'] },
      /expected a list, got "a"/,
    ],
    [
      'a list where a string goes',
      { 'Fn::EachMemberEquals': [{ Ref: 'Names' }, ['x']] },
      /expected a string, got \["x"\]/,
    ],
    ['a number', { 'Fn::Equals': [1, 'a'] }, /1 is not a rule function, a string or a list/],
  ])('refuses %s, instead of passing half-evaluated', (_, assert, message) => {
    expect(() => holds(assert)).toThrow(message);
  });

  it('refuses a rule with unknown keys or without assertions', () => {
    expect(() => evaluateRules(template({ R: { Assertions: [], Extra: 1 } }), {})).toThrow(
      /^Rules\.R: unknown keys Extra$/,
    );
    expect(() => evaluateRules(template({ R: { Assertions: [] } }), {})).toThrow(
      /^Rules\.R: Assertions must be a non-empty list$/,
    );
  });
});
