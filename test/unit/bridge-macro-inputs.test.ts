// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is CloudFormation's Fn::Sub notation.
import { describe, expect, it } from 'vitest';
import { readMacroEnvironment } from '../../functions/bridge-macro/environment.js';
import {
  BRIDGE_TYPE,
  expandTemplate,
  MAX_INGRESS_RULES,
  type SharedFunctions,
} from '../../functions/bridge-macro/expand.js';
import { answerMacroRequest } from '../../functions/bridge-macro/macro.js';
import {
  INTRINSICS,
  isIntrinsic,
  readBridgeProperties,
} from '../../functions/bridge-macro/properties.js';

// The AlbStaticIp macro at the edges of what it accepts: each value a property may take, each it
// refuses with the problem it names, lists it can and cannot count, and templates and requests of
// every odd shape. The bridge it makes from good input is in bridge-macro.test.ts.

const FUNCTIONS: SharedFunctions = {
  syncFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
  nlbPrivateIpsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:pack-NlbPrivateIps',
  deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:pack-SyncDeadLetterQueue',
};
const BRIDGE = {
  LoadBalancerArn: { Ref: 'WebAlb' },
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
  Ports: [443],
};

type Json = Record<string, unknown>;
const template = (bridge: Json, extra: Json = {}): Json => ({
  Resources: { WebStaticIps: { Type: BRIDGE_TYPE, Properties: bridge, ...extra } },
});
const expansion = (bridge: Json, parameters: unknown = {}, extra: Json = {}) =>
  expandTemplate(template(bridge, extra), parameters, FUNCTIONS);
const problemsOf = (bridge: Json, parameters: unknown = {}, extra: Json = {}) => {
  const result = expansion(bridge, parameters, extra);
  return result.ok ? [] : result.problems;
};
const resourcesOf = (bridge: Json, parameters: unknown = {}, extra: Json = {}) => {
  const result = expansion(bridge, parameters, extra);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return (result.fragment as { Resources: Record<string, Json> }).Resources;
};
/** The one problem readBridgeProperties finds with a property's value, or none. */
const problemWith = (field: string, value: unknown): string[] => {
  const read = readBridgeProperties({ ...BRIDGE, [field]: value });
  return read.ok ? [] : read.problems;
};

describe('Function: isIntrinsic', () => {
  it.each(INTRINSICS)('takes %s, as a one-key object', (name) => {
    expect(isIntrinsic({ [name]: 'x' })).toBe(true);
    expect(isIntrinsic({ [name]: 'x', Other: 'y' })).toBe(false);
  });

  it.each([null, undefined, 'Ref', 7, [], [{ Ref: 'X' }], {}, { 'Fn::If': ['C', 'a', 'b'] }])(
    'refuses %j',
    (value) => {
      expect(isIntrinsic(value)).toBe(false);
    },
  );

  it('names the functions CloudFormation resolves after the macro', () => {
    expect(INTRINSICS).toEqual(['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::Select']);
  });
});

describe('Function: readBridgeProperties, value by value', () => {
  const ID = (prefix: string) => [`${prefix}-0123abcd`, `${prefix}-0123456789abcdef0`];
  const WRONG_ID = (prefix: string) => [
    `x${prefix}-0123abcd`,
    `${prefix}-0123abcdx`,
    `${prefix}-0123abc`,
    `${prefix}-0123abcde`,
    `${prefix}-ghijklmn`,
  ];

  it.each([
    [
      'VpcId',
      ID('vpc'),
      WRONG_ID('vpc'),
      'expected a VPC id such as vpc-0123456789abcdef0, or an intrinsic function',
    ],
    [
      'AlbSecurityGroupId',
      ID('sg'),
      WRONG_ID('sg'),
      'expected a security group id such as sg-0123456789abcdef0',
    ],
    [
      'CertificateArn',
      [
        'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-4908-8706-050403020100',
        'arn:aws-cn:acm:cn-north-1:123456789012:certificate/abcd',
      ],
      [
        'xarn:aws:acm:us-east-1:123456789012:certificate/abcd',
        'arn:aws:acm:us-east-1:123456789012:certificate/abcdz',
        'arn:aws:acm:us-east-1:12345678901:certificate/abcd',
        'arn:aws:acm:us-east-1:1234567890123:certificate/abcd',
        'arn:aws:acm::123456789012:certificate/abcd',
        'arn:aws:acm:us-east-1:123456789012:certificate/',
        'arn:aws2:acm:us-east-1:123456789012:certificate/abcd',
      ],
      'expected an ACM certificate ARN',
    ],
    [
      'Schedule',
      ['rate(5 minutes)', 'cron(0 12 * * ? *)'],
      ['xrate(1 minute)', 'rate(1 minute)x', 'rate()', 'every(1 minute)'],
      'expected a schedule expression such as rate(1 minute)',
    ],
    [
      'DiscoveryRoleArn',
      [
        'arn:aws:iam::210987654321:role/alb-static-ip/discovery',
        'arn:aws-us-gov:iam::210987654321:role/a+b=c,d.e@f-g',
      ],
      [
        'arn:aws:iam::210987654321:user/alb-static-ip',
        'arn:aws:iam::21098765432:role/x',
        'arn:aws:iam::210987654321:role/',
        'arn:aws:sts::210987654321:assumed-role/x/y',
      ],
      'expected an IAM role ARN, arn:aws:iam::ACCOUNT:role/alb-static-ip/NAME',
    ],
    [
      'DiscoveryExternalId',
      ['ab', '6f1c1b8e-3f0e-4a57-9a53-3c2b1f0e9d41', 'a_b+c=d,e.f@g:h/i-j'],
      ['a', 'has space', 'a!b', 'semi;colon'],
      'expected 2 to 1224 letters, digits and _+=,.@:/- characters',
    ],
    [
      'AlarmTopicArn',
      [
        'arn:aws:sns:us-east-1:123456789012:ops',
        'arn:aws-us-gov:sns:us-gov-west-1:123456789012:a.b_c-d',
      ],
      [
        'xarn:aws:sns:us-east-1:123456789012:ops',
        'arn:aws:sns:us-east-1:123456789012:ops!',
        'arn:aws1:sns:us-east-1:123456789012:ops',
        'arn:aws:sns:us-east-1:123456789012:',
      ],
      'expected an SNS topic ARN',
    ],
    [
      'Scheme',
      ['internet-facing', 'internal'],
      ['public', 'Internal'],
      'expected internet-facing or internal',
    ],
    ['TargetMode', ['ip', 'alb'], ['IP', 'instance', ''], 'expected one of ip, alb'],
    [
      'AlbHealthCheckProtocol',
      ['HTTPS', 'HTTP'],
      ['https', 'TCP', 'HTTPS '],
      'expected HTTPS or HTTP',
    ],
    [
      'AlbHealthCheckPath',
      ['/', '/healthz', '/a/b?c=d&e=%20', '/!~'],
      ['', 'healthz', 'x/', '/a b', '/caf\u00e9', '/a\n'],
      'expected a path starting with /, 1 to 1024 visible ASCII characters, or an intrinsic function',
    ],
    [
      'AlbHealthCheckPort',
      [1, 443, '8443', 65535],
      [0, 65536, '0', 'traffic-port', '443x'],
      'expected a port number from 1 to 65535, or an intrinsic function',
    ],
    [
      'NlbDeletionProtection',
      [true, false, 'true', 'false', { Ref: 'Protect' }],
      ['yes', 'TRUE', 'true ', 1, null, [], {}, { 'Fn::If': ['Prod', 'true', 'false'] }],
      'expected true or false, or an intrinsic function such as {"Ref": "NlbDeletionProtection"}',
    ],
    [
      'NlbAccessLogBucket',
      ['abc', 'my-nlb-logs', 'logs.example.com', `a${'b'.repeat(61)}c`, { Ref: 'LogBucket' }],
      ['ab', `a${'b'.repeat(62)}c`, 'My-Logs', '-logs', 'logs-', 'logs.', '', 'a_b', 1, null, {}],
      'expected an S3 bucket name such as my-nlb-logs, or an intrinsic function',
    ],
  ])('%s: takes %j, and refuses %j naming what it expects', (field, good, bad, expected) => {
    for (const value of good) expect(problemWith(field, value), String(value)).toEqual([]);
    for (const value of bad) {
      expect(problemWith(field, value), String(value)).toEqual([
        `${field}: got ${JSON.stringify(value)}; ${expected}`,
      ]);
    }
  });

  it.each([
    [
      'SubnetIds',
      ID('subnet'),
      WRONG_ID('subnet'),
      'expected a subnet id such as subnet-0123456789abcdef0, or an intrinsic function',
    ],
    [
      'ElasticIpAllocationIds',
      ID('eipalloc'),
      WRONG_ID('eipalloc'),
      'expected an allocation id such as eipalloc-0123456789abcdef0',
    ],
    [
      'PrivateIpAddresses',
      ['0.0.0.0', '9.8.7.6', '10.0.16.10', '99.199.249.255', '1.2.3.255', '1.2.3.249', '1.2.3.9'],
      ['x10.0.0.1', '10.0.0.1x', '256.0.0.1', '10.0.0.256', '1.2.3', '1.2.3.4.5', '260.1.1.1'],
      'expected an IPv4 address',
    ],
  ])('%s: takes items like %j, and refuses items like %j', (field, good, bad, expected) => {
    expect(problemWith(field, good)).toEqual([]);
    for (const value of bad) {
      expect(problemWith(field, [good[0], value]), value).toEqual([
        `${field}[1]: got ${JSON.stringify(value)}; ${expected}`,
      ]);
    }
  });

  it.each([
    [
      'SubnetIds',
      'subnet-0123abcd',
      'expected a list of subnet ids, or a Ref to a List<AWS::EC2::Subnet::Id> parameter',
    ],
    ['Ports', 443, 'expected a list of ports, or a Ref to a list parameter'],
    [
      'ElasticIpAllocationIds',
      'eipalloc-0123abcd',
      'expected a list of Elastic IP allocation ids, one per subnet',
    ],
    ['PrivateIpAddresses', '10.0.0.1', 'expected a list of IPv4 addresses, one per subnet'],
  ])('%s: refuses %j, which is not a list', (field, value, expected) => {
    expect(problemWith(field, value)).toEqual([
      `${field}: got ${JSON.stringify(value)}; ${expected}`,
    ]);
  });

  it('takes a health check path of 1 to 1024 characters, and no longer', () => {
    expect(problemWith('AlbHealthCheckPath', `/${'~'.repeat(1023)}`)).toEqual([]);
    expect(problemWith('AlbHealthCheckPath', `/${'a'.repeat(1024)}`)).toEqual([
      expect.stringMatching(/^AlbHealthCheckPath: got "\/a+.*; expected a path starting with \//),
    ]);
  });

  it('takes every port from 1 to 65535, as a number or as CloudFormation writes it', () => {
    const ports = [
      1, 9, 80, 999, 9999, 10000, 59999, 60000, 64999, 65000, 65499, 65500, 65529, 65530, 65535,
    ];
    expect(problemWith('Ports', ports)).toEqual([]);
    expect(problemWith('Ports', ports.map(String))).toEqual([]);
  });

  it.each([0, 65536, -1, '0', '65536', '70000', '655350', 'x80', '80x', '08'])(
    'refuses the port %j, naming the item',
    (port) => {
      expect(problemWith('Ports', [port])).toEqual([
        `Ports[0]: got ${JSON.stringify(port)}; expected a port number from 1 to 65535, or an intrinsic function`,
      ]);
    },
  );

  it.each([80.5, true, null])('refuses the port %j, naming the list', (port) => {
    expect(problemWith('Ports', [port])).toEqual([
      `Ports: got [${JSON.stringify(port)}]; expected a list of ports, or a Ref to a list parameter`,
    ]);
  });

  it('takes intrinsic functions wherever a value may come from the template', () => {
    const bridge = {
      LoadBalancerArn: { 'Fn::GetAtt': ['WebAlbStack', 'Outputs.AlbArn'] },
      VpcId: { 'Fn::GetAtt': ['Subnet', 'VpcId'] },
      SubnetIds: [{ Ref: 'SubnetA' }, { 'Fn::Select': [0, { Ref: 'Subnets' }] }],
      Ports: [{ Ref: 'Port' }],
      AlbSecurityGroupId: { 'Fn::Sub': 'sg-${Suffix}' },
      CertificateArn: { 'Fn::Join': ['', ['arn:aws:acm:', { Ref: 'AWS::Region' }]] },
      Schedule: { Ref: 'Schedule' },
      AlarmTopicArn: { Ref: 'Topic' },
      AlbHealthCheckPort: { Ref: 'CheckPort' },
      AlbHealthCheckPath: { 'Fn::Sub': '/${Path}' },
    };
    expect(readBridgeProperties(bridge).ok).toBe(true);
    expect(
      readBridgeProperties({
        ...bridge,
        VpcId: { 'Fn::If': ['C', 'vpc-0123abcd', 'vpc-0123abce'] },
      }),
    ).toEqual({
      ok: false,
      problems: [
        'VpcId: got {"Fn::If":["C","vpc-0123abcd","vpc-0123abce"]}; expected a VPC id such as vpc-0123456789abcdef0, or an intrinsic function',
      ],
    });
  });
});

describe('Function: expandTemplate, lists it counts', () => {
  const SUBNETS = [
    'subnet-0000000000000000a',
    'subnet-0000000000000000b',
    'subnet-0000000000000000c',
  ];
  const nlbOf = (resources: Record<string, Json>) =>
    ((resources.WebStaticIpsNlb as Json).Properties as { SubnetMappings: Json[] }).SubnetMappings;

  it('counts a list parameter sent as a list, or as CloudFormation writes a CommaDelimitedList', () => {
    for (const value of [SUBNETS, SUBNETS.join(',')]) {
      const mappings = nlbOf(
        resourcesOf({ ...BRIDGE, SubnetIds: { Ref: 'Subnets' } }, { Subnets: value }),
      );
      expect(mappings.map((mapping) => mapping.SubnetId)).toEqual(
        SUBNETS.map((_, index) => ({ 'Fn::Select': [index, { Ref: 'Subnets' }] })),
      );
    }
  });

  it('keeps an empty entry of a comma-separated list, so each Fn::Select picks what CloudFormation will', () => {
    const mappings = nlbOf(
      resourcesOf(
        { ...BRIDGE, SubnetIds: { Ref: 'Subnets' } },
        { Subnets: `${SUBNETS[0]},,${SUBNETS[1]}` },
      ),
    );
    expect(mappings).toHaveLength(3);
    expect(problemsOf({ ...BRIDGE, SubnetIds: { Ref: 'Subnets' } }, { Subnets: '' })).toEqual([
      'Resources.WebStaticIps (AlbStaticIp::Bridge): SubnetIds: got []; expected at least one subnet',
    ]);
  });

  it.each([
    ['Ports', { Ref: 'Missing' }, {}],
    ['Ports', { Ref: 'Ports' }, { Ports: 443 }],
    ['SubnetIds', { Ref: 'Subnets' }, { Subnets: { Value: 'subnet-1' } }],
    ['ElasticIpAllocationIds', { Ref: 'Eips' }, {}],
  ])('cannot count %s: %j with %j, and says so', (field, value, parameters) => {
    expect(problemsOf({ ...BRIDGE, [field]: value }, parameters)).toEqual([
      `Resources.WebStaticIps (AlbStaticIp::Bridge): ${field}: got ${JSON.stringify(value)}; expected a literal list or a Ref to a list parameter of the template, so that the bridge knows how many to make`,
    ]);
  });

  it('cannot count private IPs it cannot read either', () => {
    expect(
      problemsOf({
        ...BRIDGE,
        Scheme: 'internal',
        PrivateIpAddresses: { 'Fn::Split': [',', 'a,b'] },
      }),
    ).toEqual([
      'Resources.WebStaticIps (AlbStaticIp::Bridge): PrivateIpAddresses: got {"Fn::Split":[",","a,b"]}; expected a list of IPv4 addresses, one per subnet',
    ]);
    expect(
      problemsOf({ ...BRIDGE, Scheme: 'internal', PrivateIpAddresses: { Ref: 'Ips' } }),
    ).toEqual([
      'Resources.WebStaticIps (AlbStaticIp::Bridge): PrivateIpAddresses: got {"Ref":"Ips"}; expected a literal list or a Ref to a list parameter of the template, so that the bridge knows how many to make',
    ]);
  });

  it('reads parameter values that are not an object as none', () => {
    for (const parameters of ['Subnets=a', null, ['a'], 7]) {
      expect(problemsOf({ ...BRIDGE, SubnetIds: { Ref: 'Subnets' } }, parameters)).toEqual([
        'Resources.WebStaticIps (AlbStaticIp::Bridge): SubnetIds: got {"Ref":"Subnets"}; expected a literal list or a Ref to a list parameter of the template, so that the bridge knows how many to make',
      ]);
    }
  });

  it('takes up to 50 ports, the listeners an NLB may have, and no fewer than one', () => {
    const ports = (count: number) => Array.from({ length: count }, (_, index) => 1000 + index);
    expect(problemsOf({ ...BRIDGE, SubnetIds: [SUBNETS[0]], Ports: ports(50) })).toEqual([]);
    expect(problemsOf({ ...BRIDGE, Ports: ports(51) })).toEqual([
      'Resources.WebStaticIps (AlbStaticIp::Bridge): Ports: got 51 ports; expected at most 50, the listeners an NLB may have',
    ]);
    expect(problemsOf({ ...BRIDGE, Ports: [] })).toEqual([
      'Resources.WebStaticIps (AlbStaticIp::Bridge): Ports: got []; expected at least one port',
    ]);
  });

  it('counts ingress rules against the security group’s quota of inbound rules', () => {
    expect(MAX_INGRESS_RULES).toBe(60);
  });

  it('does not call ports it cannot read yet repeated', () => {
    expect(problemsOf({ ...BRIDGE, Ports: [{ Ref: 'Port' }, { Ref: 'Port' }] })).toEqual([]);
  });
});

describe('Function: expandTemplate, templates of every shape', () => {
  it.each([null, 'Resources', 7, [template(BRIDGE)]])(
    'refuses a fragment that is not a template: %j',
    (fragment) => {
      expect(expandTemplate(fragment, {}, FUNCTIONS)).toEqual({
        ok: false,
        problems: ['fragment: expected a template object'],
      });
    },
  );

  it.each([undefined, null, [], 'none'])(
    'gives back a template whose Resources are %j as it was',
    (resources) => {
      const fragment = { Description: 'odd', Resources: resources };
      expect(expandTemplate(fragment, {}, FUNCTIONS)).toEqual({ ok: true, fragment });
    },
  );

  it('gives back a template with no bridge as it was, its resources of any shape kept', () => {
    const fragment = { Resources: { Odd: null, Listy: [1], Queue: { Type: 'AWS::SQS::Queue' } } };
    expect(expandTemplate(fragment, {}, FUNCTIONS)).toEqual({ ok: true, fragment });
  });

  it('keeps odd resources beside a bridge, and adds its outputs to Outputs that were not an object', () => {
    const result = expandTemplate(
      {
        Resources: { Odd: null, WebStaticIps: { Type: BRIDGE_TYPE, Properties: BRIDGE } },
        Outputs: [],
      },
      {},
      FUNCTIONS,
    );
    if (!result.ok) throw new Error(result.problems.join('; '));
    const fragment = result.fragment as { Resources: Json; Outputs: Json };
    expect(fragment.Resources.Odd).toBeNull();
    expect(Object.keys(fragment.Outputs)).toContain('WebStaticIpsNlbArn');
  });

  it('takes Metadata on a bridge, and a Condition only as a condition’s name', () => {
    expect(problemsOf(BRIDGE, {}, { Metadata: { Owner: 'web' } })).toEqual([]);
    expect(problemsOf(BRIDGE, {}, { Condition: { 'Fn::Equals': ['a', 'a'] } })).toEqual([
      'Resources.WebStaticIps (AlbStaticIp::Bridge): Condition: got {"Fn::Equals":["a","a"]}; expected the name of a condition of the template',
    ]);
  });

  it('puts no Condition on what an unconditional bridge makes', () => {
    for (const resource of Object.values(resourcesOf(BRIDGE))) {
      expect(Object.hasOwn(resource, 'Condition')).toBe(false);
    }
  });

  it('lets one bridge be named like the resources another would make, since a bridge is replaced', () => {
    const result = expandTemplate(
      {
        Resources: {
          Web: { Type: BRIDGE_TYPE, Properties: BRIDGE },
          WebSync: { Type: BRIDGE_TYPE, Properties: BRIDGE },
        },
      },
      {},
      FUNCTIONS,
    );
    expect(result.ok).toBe(true);
  });

  it('names a collision and a bad bridge together', () => {
    const result = expandTemplate(
      {
        Resources: {
          WebStaticIpsNlb: { Type: 'AWS::SNS::Topic' },
          WebStaticIps: { Type: BRIDGE_TYPE, Properties: BRIDGE },
          Api: { Type: BRIDGE_TYPE, Properties: { ...BRIDGE, Ports: ['https'] } },
        },
      },
      {},
      FUNCTIONS,
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        'Resources.Api (AlbStaticIp::Bridge): Ports[0]: got "https"; expected a port number from 1 to 65535, or an intrinsic function',
        'Resources.WebStaticIps (AlbStaticIp::Bridge): would make the resource WebStaticIpsNlb, which is already a resource of the template; rename one of them',
      ],
    });
  });
});

describe('Function: readBridgeProperties, Fn::ImportValue', () => {
  // CloudFormation macros do not support Fn::ImportValue (template-macros-author.html).
  const WHY =
    'expected no Fn::ImportValue, which CloudFormation does not support in macros; pass the value in a template parameter and use {"Ref": "ParameterName"}, or write it out';

  it('refuses it as a property value, naming the property and the value', () => {
    expect(problemWith('LoadBalancerArn', { 'Fn::ImportValue': 'web-alb-arn' })).toEqual([
      `LoadBalancerArn: got {"Fn::ImportValue":"web-alb-arn"}; ${WHY}`,
    ]);
  });

  it('refuses it in a list and inside another function, naming where, and nothing else', () => {
    // Prepare: the same bridge would be valid with a Ref in each place
    const bridge = {
      ...BRIDGE,
      SubnetIds: ['subnet-0000000000000000a', { 'Fn::ImportValue': 'subnet-b' }],
      CertificateArn: {
        'Fn::Join': [':', ['arn:aws:acm', { 'Fn::ImportValue': { 'Fn::Sub': '${Env}-cert' } }]],
      },
    };

    // Act
    const read = readBridgeProperties(bridge);

    // Assess
    expect(read).toEqual({
      ok: false,
      problems: [
        `SubnetIds[1]: got {"Fn::ImportValue":"subnet-b"}; ${WHY}`,
        `CertificateArn.Fn::Join[1][1]: got {"Fn::ImportValue":{"Fn::Sub":"\${Env}-cert"}}; ${WHY}`,
      ],
    });
  });

  it('answers the macro request with failure, naming the bridge and the property, the fragment untouched', () => {
    // Prepare
    const fragment = template({ ...BRIDGE, VpcId: { 'Fn::ImportValue': 'shared-vpc' } });
    const before = structuredClone(fragment);

    // Act
    const response = answerMacroRequest({ requestId: 'r-1', fragment }, FUNCTIONS);

    // Assess
    expect(response).toEqual({
      requestId: 'r-1',
      status: 'failure',
      fragment: before,
      errorMessage: `AlbStaticIp: Resources.WebStaticIps (AlbStaticIp::Bridge): VpcId: got {"Fn::ImportValue":"shared-vpc"}; ${WHY}`,
    });
    expect(fragment).toEqual(before);
  });
});

describe('Function: answerMacroRequest, requests of every shape', () => {
  it('answers an empty requestId to a request whose requestId is not text', () => {
    expect(answerMacroRequest({ requestId: 7, fragment: {} }, FUNCTIONS).requestId).toBe('');
  });

  it('answers failure with an empty fragment when the request has none', () => {
    expect(answerMacroRequest({ requestId: 'r' }, FUNCTIONS)).toEqual({
      requestId: 'r',
      status: 'failure',
      fragment: {},
      errorMessage: 'AlbStaticIp: fragment: expected a template object',
    });
  });
});

describe('Function: readMacroEnvironment, every setting', () => {
  const GOOD = {
    SYNC_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
    NLB_PRIVATE_IPS_FUNCTION_ARN: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:pack_Ips',
    DEAD_LETTER_QUEUE_ARN: 'arn:aws-us-gov:sqs:us-gov-west-1:123456789012:pack-Queue.fifo',
  };

  it('takes ARNs of any partition', () => {
    expect(readMacroEnvironment(GOOD)).toEqual({
      syncFunctionArn: GOOD.SYNC_FUNCTION_ARN,
      nlbPrivateIpsFunctionArn: GOOD.NLB_PRIVATE_IPS_FUNCTION_ARN,
      deadLetterQueueArn: GOOD.DEAD_LETTER_QUEUE_ARN,
    });
  });

  it.each([
    ['SYNC_FUNCTION_ARN', `x${GOOD.SYNC_FUNCTION_ARN}`],
    ['SYNC_FUNCTION_ARN', `${GOOD.SYNC_FUNCTION_ARN}:live`],
    ['SYNC_FUNCTION_ARN', GOOD.SYNC_FUNCTION_ARN.replace('arn:aws:', 'arn:aws1:')],
    ['DEAD_LETTER_QUEUE_ARN', `x${GOOD.DEAD_LETTER_QUEUE_ARN}`],
    ['DEAD_LETTER_QUEUE_ARN', `${GOOD.DEAD_LETTER_QUEUE_ARN}/x`],
    ['DEAD_LETTER_QUEUE_ARN', GOOD.DEAD_LETTER_QUEUE_ARN.replace('arn:aws-us-gov:', 'arn:aws1:')],
  ])('refuses %s %j, naming it', (name, value) => {
    expect(() => readMacroEnvironment({ ...GOOD, [name]: value })).toThrow(
      new RegExp(
        `^Invalid configuration: ${name}: got "${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`,
      ),
    );
  });
});
