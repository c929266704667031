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
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readCommandLine, table, USAGE } from '../../cli/main.js';
import { bridgeReport, EXIT, exitCodeOf } from '../../cli/report.js';
import type { SyncSummary } from '../../functions/target-group-sync/sync.js';
import { awsError } from '../support/aws-errors.js';
import { runCli } from '../support/cli-run.js';

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
      const report = bridgeReport(BRIDGE, summary(), healthOf(state));
      expect(report, state).toMatchObject({ verdict: 'in sync', exitCode: 0 });
    }
    expect(bridgeReport(BRIDGE, summary(), healthOf('healthy'))).toStrictEqual({
      bridge: 'web',
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
      expect(bridgeReport(BRIDGE, summary(change), healthOf('unhealthy'))).toMatchObject({
        verdict: 'out of sync',
        exitCode: 2,
      });
    }
  });

  it('says unhealthy, exit 3, for a failing, unused or unavailable target, an IP outside the zones, or no target', () => {
    for (const state of ['unhealthy', 'unhealthy.draining', 'unused', 'unavailable']) {
      expect(bridgeReport(BRIDGE, summary(), healthOf('healthy', state)), state).toMatchObject({
        verdict: 'unhealthy',
        exitCode: 3,
      });
    }
    expect(
      bridgeReport(
        BRIDGE,
        summary({ outsideNlbZones: ['10.0.0.1 (us-east-1c)'] }),
        healthOf('healthy'),
      ),
    ).toMatchObject({ verdict: 'unhealthy', exitCode: 3 });
    expect(bridgeReport(BRIDGE, summary(), healthOf())).toMatchObject({ verdict: 'unhealthy' });
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
    expect(bridgeReport(BRIDGE, summary(), health).groups[0]?.targets).toEqual([
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
      ),
    ).toMatchObject({ verdict: 'error', exitCode: 1, groups: [{ error: 'TargetGroupNotFound' }] });
    const report = bridgeReport(
      BRIDGE,
      summary({ registered: ['10.0.0.2:443'] }),
      new Map([[TG, new Error('Throttled')]]),
    );
    expect(report).toMatchObject({
      verdict: 'error',
      exitCode: 1,
      groups: [{ error: 'Throttled', targets: [] }],
    });
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
    expect(bridgeReport(BRIDGE, twoGroups({}), health('healthy')).verdict).toBe('in sync');
    expect(bridgeReport(BRIDGE, twoGroups({}), health('unhealthy')).verdict).toBe('unhealthy');
    expect(
      bridgeReport(BRIDGE, twoGroups({ registered: ['10.0.0.2:80'] }), health('healthy')).verdict,
    ).toBe('out of sync');
    expect(
      bridgeReport(BRIDGE, twoGroups({ status: 'failed', error: 'gone' }), health('healthy'))
        .verdict,
    ).toBe('error');
  });

  it('reports a group whose targets were not read as having none', () => {
    const report = bridgeReport(
      BRIDGE,
      twoGroups({}),
      new Map([[TG, [{ id: '10.0.0.1', port: 443, state: 'healthy' }]]]),
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
  });
});

describe('Command: status, with the AWS answers mocked', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const events = mockClient(EventBridgeClient);
  const ec2 = mockClient(EC2Client);
  const elbv2 = mockClient(ElasticLoadBalancingV2Client);

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
      StackResourceSummaries: [
        {
          LogicalResourceId: 'SyncScheduleRule',
          PhysicalResourceId: 'web-SyncScheduleRule-1',
          ResourceType: 'AWS::Events::Rule',
          LastUpdatedTimestamp: new Date(0),
          ResourceStatus: 'CREATE_COMPLETE',
        },
      ],
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
      .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: 'application' }] });
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        { TargetGroupArn: TG, TargetType: 'ip', Port: 443, VpcId: 'vpc-1', LoadBalancerArns: [] },
      ],
    });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
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

  it('names the rights it needs when the caller lacks them', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        awsError(
          'AccessDenied',
          'User is not authorized to perform: cloudformation:DescribeStacks',
        ),
      );

    const result = await runCli('status', '--stack', 'web');

    expect(result.code).toBe(EXIT.error);
    expect(result.stderr).toMatch(
      /^alb-static-ip: not allowed: User is not authorized to perform: cloudformation:DescribeStacks\. The CLI needs cloudformation:DescribeStacks and ListStackResources, events:ListTargetsByRule/,
    );
  });
});
