import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readCommandLine, table, USAGE } from '../../cli/main.js';
import {
  type AlbGroupRead,
  albBridgeReport,
  albPlacement,
  bridgeReport,
  type DescribedGroup,
  EXIT,
  exitCodeOf,
  type GroupRead,
  inAnotherAccount,
  NOTHING_TO_PLAN,
} from '../../cli/report.js';
import { type LoadBalancerArn, parseLoadBalancerArn } from '../../functions/shared/arns.js';
import type { SyncSummary } from '../../functions/target-group-sync/sync.js';
import { awsError } from '../support/aws-errors.js';
import { runCli } from '../support/cli-run.js';
import { CREATED_BY_ELB } from '../support/elb-eni.js';

// The alb-static-ip command: its command line, its verdicts and exit codes (pure), and, with the
// AWS clients mocked, what moto cannot show: an unhealthy target, and a caller without rights.
// test/integration/cli.test.ts runs it against moto.
const ALB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const TG =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-443/0123456789abcdef';

describe('Function: readCommandLine', () => {
  it.each([
    [[], 'no command; expected status or plan'],
    [['stats'], 'unknown command "stats"; expected status or plan'],
    [['status', '--stack', 'web', 'now'], 'unexpected argument "now"'],
    [
      ['status', '--stack', 'web', '--output', 'yaml'],
      '--output: got "yaml"; expected table or json',
    ],
    [
      ['status', '--stack', 'web', '--timeout', '0'],
      '--timeout: got "0"; expected whole seconds, 1 to 99999',
    ],
    [
      ['status', '--stack', 'web', '--timeout', '1.5'],
      '--timeout: got "1.5"; expected whole seconds, 1 to 99999',
    ],
    [
      ['status', '--stack', 'web', '--timeout', '100000'],
      '--timeout: got "100000"; expected whole seconds, 1 to 99999',
    ],
    [['status'], 'status takes --stack NAME (and no --load-balancer or --target-group)'],
    [
      ['status', '--stack', 'web', '--target-group', TG],
      'status takes --stack NAME (and no --load-balancer or --target-group)',
    ],
    [['plan'], 'plan takes either --stack NAME, or --load-balancer ARN and --target-group ARN'],
    [
      ['plan', '--stack', 'web', '--load-balancer', ALB],
      'plan takes either --stack NAME, or --load-balancer ARN and --target-group ARN',
    ],
  ])('refuses %j: %s', (argv, problem) => {
    expect(readCommandLine(argv)).toEqual({ problem });
  });

  it('refuses an option it does not know, in the words of the parser', () => {
    const read = readCommandLine(['status', '--stak', 'web']);
    expect(read).toEqual({ problem: expect.stringContaining("Unknown option '--stak'") });
  });

  it('reads each command with its defaults', () => {
    expect(readCommandLine(['status', '--stack', 'web'])).toEqual({
      options: {
        command: 'status',
        stack: 'web',
        targetGroups: [],
        output: 'table',
        timeoutMs: 60_000,
      },
    });
    expect(
      readCommandLine([
        'plan',
        '--load-balancer',
        ALB,
        '--target-group',
        TG,
        '--target-group',
        TG,
        '--output',
        'json',
        '--timeout',
        '5',
      ]),
    ).toEqual({
      options: {
        command: 'plan',
        loadBalancer: ALB,
        targetGroups: [TG, TG],
        output: 'json',
        timeoutMs: 5_000,
      },
    });
    expect(readCommandLine(['status', '--help'])).toEqual({ help: true });
    expect(readCommandLine(['-h'])).toEqual({ help: true });
  });
});

describe('Command: usage', () => {
  it('prints the help and exits 0', async () => {
    expect(await runCli('--help')).toMatchObject({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
  });

  it('exits 64 on a command line it does not understand, with the problem and the help', async () => {
    expect(await runCli('status')).toMatchObject({
      code: EXIT.usage,
      stdout: '',
      stderr: `alb-static-ip: status takes --stack NAME (and no --load-balancer or --target-group)\n\n${USAGE}\n`,
    });
  });

  it('exits 1 for a plan whose ARNs are not what the sync takes, naming them', async () => {
    const result = await runCli('plan', '--load-balancer', 'web', '--target-group', TG);
    expect(result.code).toBe(EXIT.error);
    expect(result.stderr).toMatch(/^alb-static-ip: .*LoadBalancerArn: got "web"/);
  });
});

const summary = (group: Partial<SyncSummary['targetGroups'][number]> = {}): SyncSummary => ({
  loadBalancerArn: ALB,
  dryRun: true,
  albIps: ['10.0.0.1'],
  targetGroups: [
    {
      targetGroupArn: TG,
      status: 'planned',
      registered: [],
      deregistered: [],
      unchanged: ['10.0.0.1:443'],
      ...group,
    },
  ],
});
const BRIDGE = { name: 'web', staticIps: ['203.0.113.10'], nlbPrivateIps: ['10.0.0.200'] };
const healthOf = (...states: (string | undefined)[]) =>
  new Map([
    [
      TG,
      states.map((state, index) => ({
        id: `10.0.0.${index + 1}`,
        port: 443,
        ...(state ? { state } : {}),
      })),
    ],
  ]);

describe('Function: bridgeReport', () => {
  it('says in sync, exit 0, when nothing would change and every target passes', () => {
    for (const state of ['healthy', 'initial', 'draining']) {
      const report = bridgeReport(BRIDGE, summary(), healthOf(state), undefined);
      expect(report, state).toMatchObject({ verdict: 'in sync', exitCode: 0 });
    }
    expect(bridgeReport(BRIDGE, summary(), healthOf('healthy'), undefined)).toStrictEqual({
      bridge: 'web',
      targetMode: 'ip',
      loadBalancerArn: ALB,
      staticIps: ['203.0.113.10'],
      nlbPrivateIps: ['10.0.0.200'],
      albIps: ['10.0.0.1'],
      groups: [
        {
          targetGroupArn: TG,
          targets: [{ target: '10.0.0.1:443', state: 'healthy' }],
          toRegister: [],
          toDeregister: [],
          outsideNlbZones: [],
        },
      ],
      verdict: 'in sync',
      exitCode: 0,
    });
  });

  it('says out of sync, exit 2, when the next sync would register or deregister', () => {
    for (const change of [{ registered: ['10.0.0.2:443'] }, { deregistered: ['10.0.0.9:443'] }]) {
      expect(bridgeReport(BRIDGE, summary(change), healthOf('unhealthy'), undefined)).toMatchObject(
        {
          verdict: 'out of sync',
          exitCode: 2,
        },
      );
    }
  });

  it('says unhealthy, exit 3, for a failing, unused or unavailable target, an IP outside the zones, or no target', () => {
    for (const state of ['unhealthy', 'unhealthy.draining', 'unused', 'unavailable']) {
      expect(
        bridgeReport(BRIDGE, summary(), healthOf('healthy', state), undefined),
        state,
      ).toMatchObject({
        verdict: 'unhealthy',
        exitCode: 3,
      });
    }
    expect(
      bridgeReport(
        BRIDGE,
        summary({ outsideNlbZones: ['10.0.0.1 (us-east-1c)'] }),
        healthOf('healthy'),
        undefined,
      ),
    ).toMatchObject({ verdict: 'unhealthy', exitCode: 3 });
    expect(bridgeReport(BRIDGE, summary(), healthOf(), undefined)).toMatchObject({
      verdict: 'unhealthy',
    });
  });

  it('keeps the reason of a state, and calls a target without one unknown', () => {
    const health = new Map([
      [
        TG,
        [
          { id: '10.0.0.1', port: 443, state: 'unhealthy', reason: 'Target.Timeout' },
          { id: '10.0.0.2', port: 443 },
        ],
      ],
    ]);
    expect(bridgeReport(BRIDGE, summary(), health, undefined).groups[0]?.targets).toEqual([
      { target: '10.0.0.1:443', state: 'unhealthy', reason: 'Target.Timeout' },
      { target: '10.0.0.2:443', state: 'unknown' },
    ]);
  });

  it('says error, exit 1, when a group failed or its targets could not be read', () => {
    expect(
      bridgeReport(
        BRIDGE,
        summary({ status: 'failed', error: 'TargetGroupNotFound' }),
        healthOf('healthy'),
        undefined,
      ),
    ).toMatchObject({ verdict: 'error', exitCode: 1, groups: [{ error: 'TargetGroupNotFound' }] });
    const report = bridgeReport(
      BRIDGE,
      summary({ registered: ['10.0.0.2:443'] }),
      new Map([[TG, new Error('Throttled')]]),
      undefined,
    );
    expect(report).toMatchObject({
      verdict: 'error',
      exitCode: 1,
      groups: [{ error: 'Throttled', targets: [] }],
    });
  });
});

describe('Function: bridgeReport, lookalikes', () => {
  it('carries the lookalikes of the dry run without changing the verdict, and has none when it found none', () => {
    // Prepare: a dry run that found an interface with the ALB's description that ELB did not create
    const found = { ...summary(), lookalikeEnis: ['eni-0f00d 10.0.0.9'] };

    // Act
    const report = bridgeReport(BRIDGE, found, healthOf('healthy'), undefined);
    const clean = bridgeReport(BRIDGE, summary(), healthOf('healthy'), undefined);

    // Assess
    expect(report).toMatchObject({
      albIps: ['10.0.0.1'],
      lookalikeEnis: ['eni-0f00d 10.0.0.9'],
      verdict: 'in sync',
      exitCode: EXIT.ok,
    });
    expect(clean).not.toHaveProperty('lookalikeEnis');
  });
});

describe('Function: bridgeReport, several groups', () => {
  const TG_B = TG.replace('web-443', 'web-80');
  const twoGroups = (second: Partial<SyncSummary['targetGroups'][number]>): SyncSummary => {
    const base = summary();
    const [first] = base.targetGroups;
    return {
      ...base,
      targetGroups: [
        first as SyncSummary['targetGroups'][number],
        { ...(first as SyncSummary['targetGroups'][number]), targetGroupArn: TG_B, ...second },
      ],
    };
  };
  const health = (second: string) =>
    new Map([
      [TG, [{ id: '10.0.0.1', port: 443, state: 'healthy' }]],
      [TG_B, [{ id: '10.0.0.1', port: 80, state: second }]],
    ]);

  it('takes the worst of its groups', () => {
    expect(bridgeReport(BRIDGE, twoGroups({}), health('healthy'), undefined).verdict).toBe(
      'in sync',
    );
    expect(bridgeReport(BRIDGE, twoGroups({}), health('unhealthy'), undefined).verdict).toBe(
      'unhealthy',
    );
    expect(
      bridgeReport(BRIDGE, twoGroups({ registered: ['10.0.0.2:80'] }), health('healthy'), undefined)
        .verdict,
    ).toBe('out of sync');
    expect(
      bridgeReport(
        BRIDGE,
        twoGroups({ status: 'failed', error: 'gone' }),
        health('healthy'),
        undefined,
      ).verdict,
    ).toBe('error');
  });

  it('reports a group whose targets were not read as having none', () => {
    const report = bridgeReport(
      BRIDGE,
      twoGroups({}),
      new Map([[TG, [{ id: '10.0.0.1', port: 443, state: 'healthy' }]]]),
      undefined,
    );
    expect(report.groups[1]?.targets).toEqual([]);
    expect(report.verdict).toBe('unhealthy');
  });
});

describe('Function: exitCodeOf', () => {
  it('takes the most serious of the bridges: error, then out of sync, then unhealthy', () => {
    const of = (...codes: number[]) => exitCodeOf(codes.map((exitCode) => ({ exitCode })));
    expect(of()).toBe(0);
    expect(of(0, 0)).toBe(0);
    expect(of(0, 3)).toBe(3);
    expect(of(3, 2, 0)).toBe(2);
    expect(of(2, 1, 3)).toBe(1);
  });
});

describe('Function: table', () => {
  it('aligns columns to their widest cell and trims each line', () => {
    expect(
      table([
        ['a', 'bb', 'c'],
        ['ccc', 'd', ''],
      ]),
    ).toBe('a    bb  c\nccc  d');
    expect(table([['a', 'bb'], ['c']])).toBe('a  bb\nc');
  });
});

/** template.yaml's schedule rule, as ListStackResources lists it. */
const SCHEDULE_RULE = {
  LogicalResourceId: 'SyncScheduleRule',
  PhysicalResourceId: 'web-SyncScheduleRule-1',
  ResourceType: 'AWS::Events::Rule',
  LastUpdatedTimestamp: new Date(0),
  ResourceStatus: 'CREATE_COMPLETE',
} as const;
const cloudFormation = mockClient(CloudFormationClient);
const events = mockClient(EventBridgeClient);
const ec2 = mockClient(EC2Client);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);

describe('Command: status, with the AWS answers mocked', () => {
  beforeEach(() => {
    for (const mock of [cloudFormation, events, ec2, elbv2]) mock.reset();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'web',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'StaticIps', OutputValue: '203.0.113.10' }],
        },
      ],
    });
    cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [SCHEDULE_RULE],
    });
    events.on(ListTargetsByRuleCommand).resolves({
      Targets: [
        {
          Id: 'target-group-sync',
          Arn: 'arn:aws:lambda:us-east-1:123456789012:function:sync',
          Input: JSON.stringify({ LoadBalancerArn: ALB, TargetGroupArns: [TG] }),
        },
      ],
    });
    elbv2
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: 'application', VpcId: 'vpc-1' }] });
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        {
          TargetGroupArn: TG,
          TargetType: 'ip',
          Port: 443,
          Protocol: 'TCP',
          VpcId: 'vpc-1',
          LoadBalancerArns: [],
        },
      ],
    });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          ...CREATED_BY_ELB,
          PrivateIpAddress: '10.0.0.1',
          AvailabilityZone: 'us-east-1a',
          VpcId: 'vpc-1',
          Description: 'ELB app/web/50dc6c495c0c9188',
        },
      ],
    });
  });

  it('exits 3 for a bridge in sync whose target fails its health checks, with the reason', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.0.1', Port: 443 },
          TargetHealth: { State: 'unhealthy', Reason: 'Target.FailedHealthChecks' },
        },
      ],
    });

    const result = await runCli('status', '--stack', 'web');

    expect(result.code).toBe(EXIT.unhealthy);
    expect(result.stdout).toMatch(/^web: unhealthy$/m);
    expect(result.stdout).toMatch(
      /web-443\/0123456789abcdef {2}10\.0\.0\.1:443 {2}unhealthy {2}Target\.FailedHealthChecks/,
    );
  });

  it('says where the ALB is beside the groups, read with the dry run, without changing the verdict', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.0.1', Port: 443 }, TargetHealth: { State: 'healthy' } },
      ],
    });

    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'web',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'StaticIps', OutputValue: '203.0.113.10,203.0.113.11' },
            { OutputKey: 'NlbPrivateIps', OutputValue: '10.0.0.200' },
          ],
        },
      ],
    });

    const result = await runCli('status', '--stack', 'web');
    const json = await runCli('status', '--stack', 'web', '--output', 'json');

    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toBe(
      [
        'web: in sync',
        '  mode         ip',
        `  ALB          ${ALB}`,
        '  static IPs   203.0.113.10, 203.0.113.11',
        '  NLB IPs      10.0.0.200',
        '  ALB IPs      10.0.0.1',
        "  placement    the ALB is in the target groups' VPC (vpc-1) and account: TargetMode alb would fit: nothing would need to run",
        '',
        table([
          ['target group', 'target', 'state', 'reason', 'next sync'],
          ['web-443/0123456789abcdef', '10.0.0.1:443', 'healthy', '', ''],
        ]),
        '',
      ].join('\n'),
    );
    expect(result.stdout).toMatch(/^ {2}mode {9}ip$/m);
    expect(result.stdout).toMatch(
      /^ {2}placement {4}the ALB is in the target groups' VPC \(vpc-1\) and account: TargetMode alb would fit: nothing would need to run$/m,
    );
    expect(json.json()).toMatchObject([
      {
        targetMode: 'ip',
        placement: { albIs: 'in their VPC', albModeFits: true },
        verdict: 'in sync',
      },
    ]);
    // Each of the two runs: the sync's check and the placement describe the ALB and the groups once.
    expect(elbv2).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 2 * 2);
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 2 * 2);
  });

  it.each(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'])(
    'names the rights it needs when the caller lacks them (%s)',
    async (code) => {
      cloudFormation
        .on(DescribeStacksCommand)
        .rejects(
          awsError(code, 'User is not authorized to perform: cloudformation:DescribeStacks'),
        );

      const result = await runCli('status', '--stack', 'web');

      expect(result.code).toBe(EXIT.error);
      expect(result.stderr).toMatch(
        /^alb-static-ip: not allowed: User is not authorized to perform: cloudformation:DescribeStacks\. The CLI needs cloudformation:DescribeStacks and ListStackResources, events:ListTargetsByRule/,
      );
    },
  );

  it('exits 1 with the reason and its cause when the ALB is not found, and does not call it a missing right', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand)
      .rejects(awsError('LoadBalancerNotFoundException', 'One or more load balancers not found'));

    const result = await runCli('plan', '--stack', 'web');

    expect(result).toMatchObject({ code: EXIT.error, stdout: '' });
    expect(result.stderr).toBe(
      `alb-static-ip: LoadBalancerArn: got "${ALB}"; expected an existing load balancer in this account and region, and none was found: One or more load balancers not found\n`,
    );
  });

  it('plans by ARNs, as a bridge named bridge, and exits 0', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });

    const result = await runCli(
      'plan',
      '--load-balancer',
      ALB,
      '--target-group',
      TG,
      '--output',
      'json',
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(EXIT.ok);
    expect(result.json()).toStrictEqual([
      {
        bridge: 'bridge',
        targetMode: 'ip',
        loadBalancerArn: ALB,
        albIps: ['10.0.0.1'],
        groups: [{ targetGroupArn: TG, toRegister: ['10.0.0.1:443'], toDeregister: [] }],
      },
    ]);
  });

  it('shows what the next sync would register and deregister, beside each target', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.0.9', Port: 443 }, TargetHealth: { State: 'healthy' } },
      ],
    });

    const result = await runCli('status', '--stack', 'web');

    expect(result.code).toBe(EXIT.outOfSync);
    expect(result.stdout).toContain(
      `${table([
        ['target group', 'target', 'state', 'reason', 'next sync'],
        ['web-443/0123456789abcdef', '10.0.0.9:443', 'healthy', '', 'deregister'],
        ['web-443/0123456789abcdef', '10.0.0.1:443', '-', '', 'register'],
      ])}\n`,
    );
  });

  it("flags a lookalike of the ALB's interfaces beside the ALB's IPs, in sync and exit 0 all the same", async () => {
    // Prepare: ELB's interface, and one with its exact description that someone else created
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          ...CREATED_BY_ELB,
          NetworkInterfaceId: 'eni-0e1b',
          PrivateIpAddress: '10.0.0.1',
          AvailabilityZone: 'us-east-1a',
          VpcId: 'vpc-1',
          Description: 'ELB app/web/50dc6c495c0c9188',
        },
        {
          RequesterManaged: false,
          NetworkInterfaceId: 'eni-0f00d',
          PrivateIpAddress: '10.0.0.9',
          AvailabilityZone: 'us-east-1a',
          VpcId: 'vpc-1',
          Description: 'ELB app/web/50dc6c495c0c9188',
        },
      ],
    });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.0.1', Port: 443 }, TargetHealth: { State: 'healthy' } },
      ],
    });

    // Act
    const result = await runCli('status', '--stack', 'web');
    const json = await runCli('status', '--stack', 'web', '--output', 'json');

    // Assess
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^web: in sync$/m);
    expect(result.stdout).toMatch(/^ {2}ALB IPs {6}10\.0\.0\.1$/m);
    expect(result.stdout).toContain(
      "\n  lookalikes   1 (eni-0f00d 10.0.0.9): carry the ALB's description, not created by Elastic Load Balancing; never registered\n",
    );
    expect(result.stdout).not.toMatch(/10\.0\.0\.9:443/);
    expect(json.code).toBe(EXIT.ok);
    expect(json.json()).toMatchObject([
      {
        albIps: ['10.0.0.1'],
        lookalikeEnis: ['eni-0f00d 10.0.0.9'],
        groups: [{ toRegister: [], toDeregister: [] }],
        verdict: 'in sync',
        exitCode: EXIT.ok,
      },
    ]);
  });

  it('names at most five lookalikes on the status line and counts the rest', async () => {
    // Prepare: seven interfaces with the ALB's description, none of them ELB's but the first
    const lookalike = (index: number) => ({
      RequesterManaged: false,
      NetworkInterfaceId: `eni-${index}`,
      PrivateIpAddress: `10.0.9.${index}`,
      AvailabilityZone: 'us-east-1a',
      VpcId: 'vpc-1',
      Description: 'ELB app/web/50dc6c495c0c9188',
    });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { ...lookalike(0), ...CREATED_BY_ELB, PrivateIpAddress: '10.0.0.1' },
        ...[1, 2, 3, 4, 5, 6, 7].map(lookalike),
      ],
    });
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.0.1', Port: 443 }, TargetHealth: { State: 'healthy' } },
      ],
    });

    const result = await runCli('status', '--stack', 'web');

    expect(result.stdout).toContain(
      '\n  lookalikes   7 (eni-1 10.0.9.1, eni-2 10.0.9.2, eni-3 10.0.9.3, eni-4 10.0.9.4, eni-5 10.0.9.5, and 2 more): carry',
    );
  });
});

// TargetMode alb: groups of type alb holding the ALB itself. Nothing is out of sync there; what
// can be wrong is the group, the registered target, or where the ALB is.
// Parsed in each test, not when the file loads: code that runs at load is a static mutant to Stryker,
// tested by reloading every related test file instead of only the tests that cover it.
const albLocation = () => parseLoadBalancerArn(ALB) as LoadBalancerArn;
const albBridge = () => ({ ...BRIDGE, loadBalancer: albLocation() });
const ALB_GROUP = { TargetType: 'alb', Port: 443, Protocol: 'TCP', VpcId: 'vpc-1' } as const;
const ACTIVE_ALB = { VpcId: 'vpc-1', State: { Code: 'active' } } as const;
const albGroupRead = (extra: Partial<AlbGroupRead> = {}): AlbGroupRead => ({
  targetGroupArn: TG,
  described: ALB_GROUP,
  registered: [{ id: ALB, port: 443, state: 'healthy' }],
  ...extra,
});

describe('Function: albBridgeReport', () => {
  it('says in sync, exit 0, when each group holds the stack’s ALB, healthy, in its VPC and account', () => {
    // Act
    const report = albBridgeReport(albBridge(), ACTIVE_ALB, [albGroupRead()]);

    // Assess
    expect(report).toStrictEqual({
      bridge: 'web',
      targetMode: 'alb',
      loadBalancerArn: ALB,
      albVpcId: 'vpc-1',
      albState: 'active',
      staticIps: ['203.0.113.10'],
      nlbPrivateIps: ['10.0.0.200'],
      groups: [{ targetGroupArn: TG, targets: [{ target: `${ALB}:443`, state: 'healthy' }] }],
      verdict: 'in sync',
      exitCode: EXIT.ok,
    });
  });

  it('says unhealthy, exit 3, for a group with no target, or whose ALB target is not healthy', () => {
    expect(
      albBridgeReport(albBridge(), ACTIVE_ALB, [albGroupRead({ registered: [] })]),
    ).toMatchObject({ verdict: 'unhealthy', exitCode: EXIT.unhealthy, groups: [{ targets: [] }] });
    // The ALB is the group's only target: one checking in, or draining, carries no new traffic.
    for (const state of ['unhealthy', 'initial', 'draining', 'unused', undefined]) {
      const registered = [{ id: ALB, port: 443, ...(state ? { state } : {}) }];
      const report = albBridgeReport(albBridge(), ACTIVE_ALB, [albGroupRead({ registered })]);
      expect(report, state).toMatchObject({ verdict: 'unhealthy', exitCode: EXIT.unhealthy });
      expect(report.groups[0]?.error, state).toBeUndefined();
    }
  });

  it('says error, exit 1, for a group that is not of type alb', () => {
    const described: DescribedGroup = { ...ALB_GROUP, TargetType: 'ip' };

    const report = albBridgeReport(albBridge(), ACTIVE_ALB, [albGroupRead({ described })]);

    expect(report).toMatchObject({
      verdict: 'error',
      exitCode: EXIT.error,
      groups: [
        { error: `TargetGroupArns: ${TG} has target type "ip"; expected "alb" in TargetMode alb` },
      ],
    });
  });

  it('says error for a registered target that is not the stack’s ALB, naming both', () => {
    const other = ALB.replace('web/50dc6c495c0c9188', 'old/0000000000000001');
    const registered = [{ id: other, port: 443, state: 'healthy' }];

    const report = albBridgeReport(albBridge(), ACTIVE_ALB, [albGroupRead({ registered })]);

    expect(report.verdict).toBe('error');
    expect(report.groups[0]?.error).toBe(`registered: ${other}; expected the stack's ALB, ${ALB}`);
    expect(report.groups[0]?.targets).toEqual([{ target: `${other}:443`, state: 'healthy' }]);
  });

  it('says error when the ALB is in another VPC than the group: AWS would not forward to it', () => {
    const report = albBridgeReport(albBridge(), { ...ACTIVE_ALB, VpcId: 'vpc-2' }, [
      albGroupRead(),
    ]);

    expect(report).toMatchObject({ verdict: 'error', albVpcId: 'vpc-2' });
    expect(report.groups[0]?.error).toBe(
      "the ALB is in vpc-2, the target group in vpc-1: AWS forwards to an ALB target only in the NLB's VPC and account; use TargetMode ip",
    );
  });

  it('says error when the ALB is in another account than the group, whatever was read of it', () => {
    const elsewhere = parseLoadBalancerArn(
      ALB.replace('123456789012', '210987654321'),
    ) as LoadBalancerArn;
    const bridge = { ...BRIDGE, loadBalancer: elsewhere };

    const report = albBridgeReport(bridge, new Error('not read'), [albGroupRead()]);

    expect(report).toMatchObject({ verdict: 'error', loadBalancerArn: elsewhere.arn });
    expect(report).not.toHaveProperty('albVpcId');
    expect(report).not.toHaveProperty('albState');
    expect(report.groups[0]?.error).toBe(
      "the ALB is in account 210987654321, the target group in 123456789012: AWS forwards to an ALB target only in the NLB's VPC and account; use TargetMode ip",
    );
  });

  it('says error when the ALB cannot be found, or a group or its targets cannot be read', () => {
    const missing = albBridgeReport(albBridge(), new Error('none was found'), [albGroupRead()]);
    expect(missing.verdict).toBe('error');
    expect(missing.groups[0]?.error).toBe(`AlbArn: ${ALB} could not be read: none was found`);

    const group = albBridgeReport(albBridge(), ACTIVE_ALB, [
      albGroupRead({ described: new Error('TargetGroupNotFound') }),
    ]);
    expect(group.groups[0]?.error).toBe('TargetGroupNotFound');

    const targets = albBridgeReport(albBridge(), ACTIVE_ALB, [
      albGroupRead({ registered: new Error('Throttled') }),
    ]);
    expect(targets.groups[0]).toEqual({ targetGroupArn: TG, targets: [], error: 'Throttled' });
  });

  it('says unhealthy when one of a group’s registrations of the ALB is not healthy', () => {
    const registered = [
      { id: ALB, port: 443, state: 'healthy' },
      { id: ALB, port: 8443, state: 'unhealthy' },
    ];

    const report = albBridgeReport(albBridge(), ACTIVE_ALB, [albGroupRead({ registered })]);

    expect(report.verdict).toBe('unhealthy');
  });

  it('reports an ALB that DescribeLoadBalancers gave no state, without one', () => {
    const report = albBridgeReport(albBridge(), { VpcId: 'vpc-1' }, [albGroupRead()]);

    expect(report).toMatchObject({ verdict: 'in sync', albVpcId: 'vpc-1' });
    expect(report.albState).toBeUndefined();
  });

  it('takes the worst of its groups', () => {
    const TG_B = TG.replace('web-443', 'web-80');
    const second = (extra: Partial<AlbGroupRead>) =>
      albGroupRead({ targetGroupArn: TG_B, ...extra });

    const healthy = albBridgeReport(albBridge(), ACTIVE_ALB, [albGroupRead(), second({})]);
    const empty = albBridgeReport(albBridge(), ACTIVE_ALB, [
      albGroupRead(),
      second({ registered: [] }),
    ]);
    const failed = albBridgeReport(albBridge(), ACTIVE_ALB, [
      albGroupRead({ registered: [] }),
      second({ described: new Error('gone') }),
    ]);

    expect([healthy.verdict, empty.verdict, failed.verdict]).toEqual([
      'in sync',
      'unhealthy',
      'error',
    ]);
    expect(failed.groups.map((group) => group.error)).toEqual([undefined, 'gone']);
  });
});

describe('Function: albPlacement', () => {
  const ipGroup = (extra: Partial<DescribedGroup> = {}): GroupRead => ({
    targetGroupArn: TG,
    described: { TargetType: 'ip', Protocol: 'TCP', VpcId: 'vpc-1', ...extra },
  });

  it('says TargetMode alb would fit when the ALB is in the groups’ VPC and account and they are TCP', () => {
    expect(albPlacement(albLocation(), ACTIVE_ALB, [ipGroup()])).toStrictEqual({
      albIs: 'in their VPC',
      albModeFits: true,
      note: "the ALB is in the target groups' VPC (vpc-1) and account: TargetMode alb would fit: nothing would need to run",
    });
  });

  it('says it would not fit when a group is TLS: the NLB ends TLS, which a group of type alb cannot', () => {
    const tls = {
      ...ipGroup({ Protocol: 'TLS' }),
      targetGroupArn: TG.replace('web-443', 'web-8443'),
    };

    expect(albPlacement(albLocation(), ACTIVE_ALB, [ipGroup(), tls])).toStrictEqual({
      albIs: 'in their VPC',
      albModeFits: false,
      note: `the ALB is in the target groups' VPC (vpc-1) and account, but ${tls.targetGroupArn} is TLS: a group of type alb takes TCP only, so TLS could not end at the NLB; ip is the mode that works here`,
    });
  });

  it('says ip is the mode that works when the ALB is in another VPC', () => {
    expect(albPlacement(albLocation(), { VpcId: 'vpc-2' }, [ipGroup(), ipGroup()])).toStrictEqual({
      albIs: 'in another VPC',
      albModeFits: false,
      note: "the ALB is in vpc-2, the target groups in vpc-1: AWS forwards to an ALB target only in the NLB's VPC and account, so ip is the mode that works here",
    });
  });

  it('says ip is the mode that works when the ALB is in another account, without reading it', () => {
    const elsewhere = parseLoadBalancerArn(
      ALB.replace('123456789012', '210987654321'),
    ) as LoadBalancerArn;

    expect(albPlacement(elsewhere, new Error('not read'), [ipGroup(), ipGroup()])).toStrictEqual({
      albIs: 'in another account',
      albModeFits: false,
      note: "the ALB is in account 210987654321, the target groups in 123456789012: AWS forwards to an ALB target only in the NLB's VPC and account, so ip is the mode that works here",
    });
  });

  it('names every other VPC and account of the groups', () => {
    const inVpc = (vpc: string, arn = TG): GroupRead => ({
      ...ipGroup({ VpcId: vpc }),
      targetGroupArn: arn,
    });
    const THIRD = TG.replace('123456789012', '333333333333');
    const elsewhere = parseLoadBalancerArn(
      ALB.replace('123456789012', '210987654321'),
    ) as LoadBalancerArn;

    const vpcs = albPlacement(albLocation(), { VpcId: 'vpc-1' }, [
      inVpc('vpc-2'),
      inVpc('vpc-1'),
      inVpc('vpc-3'),
    ]);
    const accounts = albPlacement(elsewhere, new Error('not read'), [
      inVpc('vpc-1'),
      inVpc('vpc-1', THIRD),
    ]);

    expect(vpcs.note).toMatch(/^the ALB is in vpc-1, the target groups in vpc-2, vpc-3: /);
    expect(accounts.note).toMatch(
      /^the ALB is in account 210987654321, the target groups in 123456789012, 333333333333: /,
    );
  });

  it('says it did not check when the ALB or a group could not be read', () => {
    const unknown = (note: string) => ({ albIs: 'unknown', albModeFits: false, note });

    expect(albPlacement(albLocation(), new Error('AccessDenied'), [ipGroup()])).toStrictEqual(
      unknown('not checked: AccessDenied'),
    );
    expect(
      albPlacement(albLocation(), ACTIVE_ALB, [
        ipGroup(),
        { targetGroupArn: TG, described: new Error('gone') },
      ]),
    ).toStrictEqual(unknown('not checked: gone'));
  });

  it('is in the report of a status, never changing its verdict, and absent from a plan’s', () => {
    const placement = albPlacement(albLocation(), { VpcId: 'vpc-2' }, [ipGroup()]);

    const status = bridgeReport(BRIDGE, summary(), healthOf('healthy'), placement);
    const plan = bridgeReport(BRIDGE, summary(), healthOf('healthy'), undefined);

    expect(status).toMatchObject({ verdict: 'in sync', exitCode: EXIT.ok, placement });
    expect(plan).not.toHaveProperty('placement');
  });
});

describe('Function: inAnotherAccount', () => {
  it('says whether some group is in another account than the ALB', () => {
    const foreign = TG.replace('123456789012', '210987654321');

    expect(inAnotherAccount(albLocation(), [TG, TG])).toBe(false);
    expect(inAnotherAccount(albLocation(), [TG, foreign])).toBe(true);
  });
});

describe('Command: status and plan of a TargetMode alb stack, with the AWS answers mocked', () => {
  const OTHER_ACCOUNT_ALB = ALB.replace('123456789012', '210987654321');
  const stackWith = (outputs: Record<string, string>, rules: string[] = []) => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'web',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
          })),
        },
      ],
    });
    cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: rules.map((rule) => ({
        LogicalResourceId: rule,
        PhysicalResourceId: `web-${rule}-1`,
        ResourceType: 'AWS::Events::Rule',
        LastUpdatedTimestamp: new Date(0),
        ResourceStatus: 'CREATE_COMPLETE',
      })),
    });
  };
  const albOutputs = (albArn = ALB) => ({
    TargetMode: 'alb',
    AlbArn: albArn,
    TargetGroupArns: TG,
    StaticIps: '203.0.113.10',
    NlbPrivateIps: '10.0.0.200,10.0.16.200',
  });
  const albTargetHealth = (state: 'healthy' | 'unhealthy') =>
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: ALB, Port: 443 }, TargetHealth: { State: state } },
      ],
    });

  beforeEach(() => {
    for (const mock of [cloudFormation, events, ec2, elbv2]) mock.reset();
    stackWith(albOutputs());
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [{ TargetGroupArn: TG, ...ALB_GROUP }],
    });
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        { LoadBalancerArn: ALB, Type: 'application', VpcId: 'vpc-1', State: { Code: 'active' } },
      ],
    });
    albTargetHealth('healthy');
  });

  it('exits 0 for a bridge whose group holds its ALB, healthy, read in one wave and no dry run', async () => {
    const result = await runCli('status', '--stack', 'web');

    expect(result).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(result.stdout).toBe(
      [
        'web: in sync',
        '  mode         alb',
        `  ALB          ${ALB}`,
        '  ALB VPC      vpc-1, state active',
        '  static IPs   203.0.113.10',
        '  NLB IPs      10.0.0.200, 10.0.16.200',
        '',
        table([
          ['target group', 'target', 'state', 'reason'],
          ['web-443/0123456789abcdef', `${ALB}:443`, 'healthy', ''],
        ]),
        '',
      ].join('\n'),
    );
    expect(events).toHaveReceivedCommandTimes(ListTargetsByRuleCommand, 0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeNetworkInterfacesCommand, 0);
    expect(elbv2).toHaveReceivedCommandTimes(DescribeTargetGroupsCommand, 1);
    expect(elbv2).toHaveReceivedCommandWith(DescribeTargetGroupsCommand, { TargetGroupArns: [TG] });
    expect(elbv2).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 1);
    expect(elbv2).toHaveReceivedCommandWith(DescribeTargetHealthCommand, { TargetGroupArn: TG });
  });

  it('prints the report for programs with its mode, the ALB’s VPC and state', async () => {
    const result = await runCli('status', '--stack', 'web', '--output', 'json');

    expect(result.json()).toStrictEqual([
      {
        bridge: 'web',
        targetMode: 'alb',
        loadBalancerArn: ALB,
        albVpcId: 'vpc-1',
        albState: 'active',
        staticIps: ['203.0.113.10'],
        nlbPrivateIps: ['10.0.0.200', '10.0.16.200'],
        groups: [{ targetGroupArn: TG, targets: [{ target: `${ALB}:443`, state: 'healthy' }] }],
        verdict: 'in sync',
        exitCode: 0,
      },
    ]);
  });

  it('exits 3 when the ALB target is unhealthy, or the group has none', async () => {
    albTargetHealth('unhealthy');
    const unhealthy = await runCli('status', '--stack', 'web');
    elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    const empty = await runCli('status', '--stack', 'web');

    expect(unhealthy.code).toBe(EXIT.unhealthy);
    expect(unhealthy.stdout).toMatch(/^web: unhealthy$/m);
    expect(empty.code).toBe(EXIT.unhealthy);
    expect(empty.stdout).toMatch(/^web-443\/0123456789abcdef +- +no target$/m);
  });

  it('exits 1 when the ALB is in another VPC, saying so in the table', async () => {
    elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [
        { LoadBalancerArn: ALB, Type: 'application', VpcId: 'vpc-2', State: { Code: 'active' } },
      ],
    });

    const result = await runCli('status', '--stack', 'web');

    expect(result.code).toBe(EXIT.error);
    expect(result.stdout).toMatch(/^web: error$/m);
    expect(result.stdout).toMatch(
      /^web-443\/0123456789abcdef +- +error +the ALB is in vpc-2, the target group in vpc-1: AWS forwards to an ALB target only in the NLB's VPC and account; use TargetMode ip$/m,
    );
  });

  it('exits 1 when the ALB is in another account, without describing it', async () => {
    stackWith(albOutputs(OTHER_ACCOUNT_ALB));

    const result = await runCli('status', '--stack', 'web');

    expect(result.code).toBe(EXIT.error);
    expect(result.stdout).toContain(
      'the ALB is in account 210987654321, the target group in 123456789012',
    );
    expect(elbv2).toHaveReceivedCommandTimes(DescribeLoadBalancersCommand, 0);
  });

  it('exits 1 when the ALB cannot be found, with AWS’s reason', async () => {
    elbv2
      .on(DescribeLoadBalancersCommand)
      .rejects(awsError('LoadBalancerNotFoundException', 'One or more load balancers not found'));

    const result = await runCli('status', '--stack', 'web', '--output', 'json');

    expect(result.code).toBe(EXIT.error);
    expect(result.json()).toMatchObject([
      {
        verdict: 'error',
        groups: [
          {
            error: `AlbArn: ${ALB} could not be read: LoadBalancerArn: got "${ALB}"; expected an existing load balancer in this account and region, and none was found: One or more load balancers not found`,
          },
        ],
      },
    ]);
    expect(result.json()).not.toHaveProperty([0, 'albVpcId']);
    const table = await runCli('status', '--stack', 'web');
    expect(table.stdout).toMatch(/^ {2}ALB VPC {6}-, state -$/m);
  });

  it('exits 1 when a group is not found, naming it', async () => {
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });

    const result = await runCli('status', '--stack', 'web', '--output', 'json');

    expect(result.code).toBe(EXIT.error);
    expect(result.json()).toMatchObject([
      {
        groups: [
          {
            error: `TargetGroupArns: got "${TG}"; expected an existing target group, and DescribeTargetGroups returned none`,
          },
        ],
      },
    ]);
  });

  it('has nothing to plan: exits 0, says why, and reads nothing but the stack', async () => {
    const table = await runCli('plan', '--stack', 'web');
    const json = await runCli('plan', '--stack', 'web', '--output', 'json');

    expect(table).toMatchObject({ code: EXIT.ok, stdout: `web: ${NOTHING_TO_PLAN}\n`, stderr: '' });
    expect(json.code).toBe(EXIT.ok);
    expect(json.json()).toStrictEqual([
      {
        bridge: 'web',
        targetMode: 'alb',
        loadBalancerArn: ALB,
        targetGroupArns: [TG],
        plan: 'TargetMode alb: nothing to plan; AWS keeps the ALB registered in the target groups, and nothing runs',
      },
    ]);
    expect(elbv2.calls()).toHaveLength(0);
  });

  it('plans the ip bridges of a stack that also has alb ones, and says the alb ones have nothing to plan', async () => {
    const API_TG = TG.replace('web-443', 'api-443');
    stackWith(
      {
        WebTargetMode: 'alb',
        WebAlbArn: ALB,
        WebTargetGroupArns: TG,
        ShopTargetMode: 'alb',
        ShopAlbArn: ALB,
        ShopTargetGroupArns: TG,
        ApiTargetMode: 'ip',
      },
      ['ApiSyncSchedule'],
    );
    events.on(ListTargetsByRuleCommand).resolves({
      Targets: [
        {
          Id: 'target-group-sync',
          Arn: 'arn:aws:lambda:us-east-1:123456789012:function:sync',
          Input: JSON.stringify({ LoadBalancerArn: ALB, TargetGroupArns: [API_TG] }),
        },
      ],
    });
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        { TargetGroupArn: API_TG, ...ALB_GROUP, TargetType: 'ip', LoadBalancerArns: [] },
      ],
    });
    elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          ...CREATED_BY_ELB,
          PrivateIpAddress: '10.0.0.1',
          AvailabilityZone: 'us-east-1a',
          VpcId: 'vpc-1',
          Description: 'ELB app/web/50dc6c495c0c9188',
        },
      ],
    });

    const result = await runCli('plan', '--stack', 'web');
    const json = await runCli('plan', '--stack', 'web', '--output', 'json');

    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toBe(
      `${table([
        ['target group', 'register', 'deregister'],
        ['api-443/0123456789abcdef', '10.0.0.1:443', '-'],
      ])}\nShop: ${NOTHING_TO_PLAN}\nWeb: ${NOTHING_TO_PLAN}\n`,
    );
    expect(json.json()).toMatchObject([
      { bridge: 'Api', targetMode: 'ip', groups: [{ toRegister: ['10.0.0.1:443'] }] },
      { bridge: 'Shop', targetMode: 'alb' },
      { bridge: 'Web', targetMode: 'alb' },
    ]);
    expect(elbv2).toHaveReceivedCommandTimes(RegisterTargetsCommand, 0);
  });

  it('exits 1 for a plan whose ip bridge has a group it cannot sync, naming why', async () => {
    stackWith({ WebTargetMode: 'alb', WebAlbArn: ALB, WebTargetGroupArns: TG }, [
      'ApiSyncSchedule',
    ]);
    events.on(ListTargetsByRuleCommand).resolves({
      Targets: [
        {
          Id: 'target-group-sync',
          Arn: 'arn:aws:lambda:us-east-1:123456789012:function:sync',
          Input: JSON.stringify({ LoadBalancerArn: ALB, TargetGroupArns: [TG] }),
        },
      ],
    });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const wrongType = `TargetGroupArns: ${TG} has target type "alb"; expected "ip"`;

    const result = await runCli('plan', '--stack', 'web');
    const json = await runCli('plan', '--stack', 'web', '--output', 'json');

    const status = await runCli('status', '--stack', 'web');

    expect(result.code).toBe(EXIT.error);
    expect(result.stdout).toBe(
      `${table([
        ['target group', 'register', 'deregister'],
        ['web-443/0123456789abcdef', `error: ${wrongType}`, '-'],
      ])}\nWeb: ${NOTHING_TO_PLAN}\n`,
    );
    expect(status.stdout).toMatch(
      / error +TargetGroupArns: \S+ has target type "alb"; expected "ip" +-$/m,
    );
    // Each bridge's table, a blank line between them.
    expect(status.stdout).toContain(':443  healthy\n\nWeb: in sync\n');
    expect(json.code).toBe(EXIT.error);
    expect(json.json()).toStrictEqual([
      {
        bridge: 'Api',
        targetMode: 'ip',
        loadBalancerArn: ALB,
        albIps: [],
        groups: [{ targetGroupArn: TG, toRegister: [], toDeregister: [], error: wrongType }],
      },
      {
        bridge: 'Web',
        targetMode: 'alb',
        loadBalancerArn: ALB,
        targetGroupArns: [TG],
        plan: NOTHING_TO_PLAN,
      },
    ]);
  });
});

describe('Function: readStackBridges, as status reports it', () => {
  beforeEach(() => {
    for (const mock of [cloudFormation, events, ec2, elbv2]) mock.reset();
    cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
  });
  const outputs = (values: Record<string, string>) =>
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'web',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({
            OutputKey,
            OutputValue,
          })),
        },
      ],
    });

  it.each([
    [
      'no bridge in either mode',
      { TargetMode: 'ip', AlbArn: ALB, Tier: 'alb', TargetModeHint: 'alb' },
      'Stack web has no bridge: no sync schedule rule (TargetMode ip) and no TargetMode output of alb. It is not a stack of alb-static-ip with a bridge (the pack has none; a stack with AlbStaticIp::Bridge resources has one per bridge)',
    ],
    [
      'no AlbArn output',
      { TargetMode: 'alb', TargetGroupArns: TG },
      "Stack web: the output AlbArn: got none; expected the ALB's ARN, arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID (ID: 16 hex digits)",
    ],
    [
      'an AlbArn that is no ALB ARN',
      { WebTargetMode: 'alb', WebAlbArn: 'web', WebTargetGroupArns: TG },
      `Stack web: the output WebAlbArn: got "web"; expected the ALB's ARN, arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID (ID: 16 hex digits)`,
    ],
    [
      'no TargetGroupArns output',
      { TargetMode: 'alb', AlbArn: ALB },
      'Stack web: the output TargetGroupArns: got none; expected target group ARNs, comma-separated, each arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID (ID: 16 hex digits)',
    ],
    [
      'a TargetGroupArns entry that is no target group ARN',
      { TargetMode: 'alb', AlbArn: ALB, TargetGroupArns: `${TG},tg-2` },
      'Stack web: the output TargetGroupArns: got "tg-2"; expected target group ARNs, comma-separated, each arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID (ID: 16 hex digits)',
    ],
  ])('exits 1 for a stack with %s, naming the output', async (_, values, message) => {
    outputs(values);

    const result = await runCli('status', '--stack', 'web');

    expect(result).toMatchObject({
      code: EXIT.error,
      stdout: '',
      stderr: `alb-static-ip: ${message}\n`,
    });
  });

  it('exits 1 for a bridge with both a schedule rule and a TargetMode of alb', async () => {
    outputs({ TargetMode: 'alb', AlbArn: ALB, TargetGroupArns: TG });
    cloudFormation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [SCHEDULE_RULE],
    });

    const result = await runCli('status', '--stack', 'web');

    expect(result.code).toBe(EXIT.error);
    expect(result.stderr).toBe(
      'alb-static-ip: Stack web: the output TargetMode says alb, yet the rule SyncScheduleRule runs the sync; expected one of them (is an update of the stack under way?)\n',
    );
    expect(events).toHaveReceivedCommandTimes(ListTargetsByRuleCommand, 0);
  });
});

describe('Function: readStackBridges, TargetMode ip bridges by their rules', () => {
  const rule = (id: string, physical: string | undefined, type = 'AWS::Events::Rule') => ({
    LogicalResourceId: id,
    ...(physical ? { PhysicalResourceId: physical } : {}),
    ResourceType: type,
    LastUpdatedTimestamp: new Date(0),
    ResourceStatus: 'CREATE_COMPLETE' as const,
  });

  beforeEach(() => {
    for (const mock of [cloudFormation, events, ec2, elbv2]) mock.reset();
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'shop', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE' }],
    });
  });

  it('passes on any other refusal of DescribeStacks, and reads an answer without a stack as no outputs', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejectsOnce(awsError('ValidationError', 'Rate of requests exceeded'))
      .resolves({});
    cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });

    const refused = await runCli('status', '--stack', 'shop');
    const noStack = await runCli('status', '--stack', 'shop');

    expect(refused.stderr).toBe('alb-static-ip: Rate of requests exceeded\n');
    expect(noStack.stderr).toMatch(/^alb-static-ip: Stack shop has no bridge: /);
  });

  it('reads every page of resources, and only the schedule rules that have been made', async () => {
    cloudFormation
      .on(ListStackResourcesCommand, { StackName: 'shop', NextToken: undefined })
      .resolves({
        StackResourceSummaries: [
          rule('WebSyncSchedule', 'shop-WebSyncSchedule-1'),
          rule('WebSyncScheduleRole', 'shop-role', 'AWS::IAM::Role'),
          rule('ShopSyncSchedule', 'shop-topic', 'AWS::SNS::Topic'),
          rule('WebSyncScheduleDlqRule', 'shop-dlq-rule'),
          rule('ApiSyncSchedule', undefined),
        ],
        NextToken: 'page-2',
      })
      .on(ListStackResourcesCommand, { StackName: 'shop', NextToken: 'page-2' })
      .resolves({ StackResourceSummaries: [rule('BlogSyncSchedule', 'shop-BlogSyncSchedule-1')] });
    events
      .on(ListTargetsByRuleCommand, { Rule: 'shop-WebSyncSchedule-1' })
      .resolves({
        Targets: [
          {
            Id: 'sync',
            Arn: 'arn:aws:lambda:us-east-1:123456789012:function:s',
            Input: JSON.stringify({ LoadBalancerArn: ALB, TargetGroupArns: [TG] }),
          },
        ],
      })
      .on(ListTargetsByRuleCommand, { Rule: 'shop-BlogSyncSchedule-1' })
      .resolves({ Targets: [] });

    const result = await runCli('status', '--stack', 'shop');

    expect(result.stderr).toBe(
      'alb-static-ip: The rule shop-BlogSyncSchedule-1 has no target with an input: it does not run the sync\n',
    );
    expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'shop' });
    // Every read of the stack runs under the --timeout signal.
    for (const call of [
      ...cloudFormation.commandCalls(DescribeStacksCommand),
      ...cloudFormation.commandCalls(ListStackResourcesCommand),
      ...events.commandCalls(ListTargetsByRuleCommand),
    ]) {
      expect((call.args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    }
    expect(events.commandCalls(ListTargetsByRuleCommand).map((call) => call.args[0].input)).toEqual(
      [{ Rule: 'shop-WebSyncSchedule-1' }, { Rule: 'shop-BlogSyncSchedule-1' }],
    );
  });

  it('says a stack that does not exist does not, and names a rule whose input is no binding', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejectsOnce(awsError('ValidationError', 'Stack with id shop does not exist'))
      .resolves({
        Stacks: [{ StackName: 'shop', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE' }],
      });
    cloudFormation
      .on(ListStackResourcesCommand)
      .resolves({ StackResourceSummaries: [rule('SyncScheduleRule', 'shop-rule')] });
    events.on(ListTargetsByRuleCommand).resolves({
      Targets: [
        { Id: 'sync', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:s', Input: '{}' },
      ],
    });

    const missing = await runCli('status', '--stack', 'shop');
    const unreadable = await runCli('status', '--stack', 'shop');

    expect(missing.stderr).toBe(
      'alb-static-ip: Stack shop does not exist in this account and Region\n',
    );
    expect(unreadable.code).toBe(EXIT.error);
    expect(unreadable.stderr).toMatch(
      /^alb-static-ip: Stack shop: the rule SyncScheduleRule does not send the sync a binding it can read: .*LoadBalancerArn/,
    );
  });
});
