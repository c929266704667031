import { describe, expect, it } from 'vitest';
import type { BridgeReport } from '../../cli/report.js';
import type { Invocation } from '../../sandbox/lambda-service.js';
import {
  bytes,
  converged,
  describeChange,
  describeInvocation,
  distinctWrites,
  elapsed,
  statePanel,
  summaryTable,
  triggerOf,
  writesOf,
} from '../../sandbox/view.js';

// What npm start prints, from what happened: pure functions of their inputs.
const RULES = new Map([
  ['stack-SyncScheduleRule-ABC', 'schedule'],
  ['stack-EniChangeRule-DEF', 'ENI event'],
]);

function invocation(overrides: Partial<Invocation>): Invocation {
  return {
    functionName: 'alb-static-ip-sandbox-TargetGroupSyncFunction-P1UKZR9RPSPL',
    source: 'rule/stack-EniChangeRule-DEF',
    event: {},
    startedAt: 0,
    durationMs: 41,
    errored: false,
    result: null,
    logBytes: 2900,
    coldStart: false,
    ...overrides,
  };
}

function report(overrides: Partial<BridgeReport> = {}): BridgeReport {
  return {
    bridge: 'alb-static-ip-sandbox',
    targetMode: 'ip',
    loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/a/1',
    staticIps: ['127.0.0.5', '127.0.0.6'],
    nlbPrivateIps: ['10.0.1.5', '10.0.17.6'],
    albIps: ['10.0.1.7', '10.0.33.4'],
    groups: [
      {
        targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1',
        targets: [
          { target: '10.0.1.7:443', state: 'healthy' },
          { target: '10.0.33.4:443', state: 'healthy' },
        ],
        toRegister: [],
        toDeregister: [],
        outsideNlbZones: ['10.0.33.4 (us-east-1c)'],
      },
    ],
    verdict: 'unhealthy',
    exitCode: 3,
    ...overrides,
  };
}

describe('the sandbox view', () => {
  it('writes times and sizes as people read them', () => {
    expect(elapsed(12_345)).toBe('+ 12.3s');
    expect(elapsed(-5)).toBe('+  0.0s');
    expect(bytes(999)).toBe('999 B');
    expect(bytes(1000)).toBe('1.0 kB');
    expect(bytes(4450)).toBe('4.5 kB');
  });

  it('names the trigger: the rule by its label, CloudFormation by request and resource', () => {
    expect(triggerOf(invocation({}), RULES)).toBe('ENI event');
    expect(triggerOf(invocation({ source: 'rule/stack-SyncScheduleRule-ABC' }), RULES)).toBe(
      'schedule',
    );
    expect(triggerOf(invocation({ source: 'rule/other' }), RULES)).toBe('rule other');
    expect(
      triggerOf(
        invocation({
          source: 'cloudformation',
          event: { RequestType: 'Create', LogicalResourceId: 'TargetGroupSync' },
        }),
        RULES,
      ),
    ).toBe('CloudFormation Create of TargetGroupSync');
    expect(triggerOf(invocation({ source: 'lambda' }), RULES)).toBe('Lambda Invoke');
  });

  it("sums a run's writes over its groups, and finds none in what is not a summary", () => {
    const result = {
      targetGroups: [
        { registered: ['10.0.1.7:80'], deregistered: [], status: 'synced' },
        { registered: ['10.0.1.7:443'], deregistered: ['10.0.2.2:443'], status: 'synced' },
      ],
    };
    expect(writesOf(result)).toEqual({
      registered: ['10.0.1.7:80', '10.0.1.7:443'],
      deregistered: ['10.0.2.2:443'],
    });
    expect(writesOf(null)).toEqual({ registered: [], deregistered: [] });
  });

  it('counts each target a step wrote once, however many overlapping runs reported it', () => {
    // Prepare: three scheduled runs that each read the group before any of them deregistered
    const deregisteredB = {
      targetGroups: [
        { registered: [], deregistered: ['10.0.2.2:80'], status: 'synced' },
        { registered: [], deregistered: ['10.0.2.2:443'], status: 'synced' },
      ],
    };
    const replaced = {
      targetGroups: [
        { registered: ['10.0.1.7:80'], deregistered: ['10.0.2.2:80'], status: 'synced' },
      ],
    };

    // Act
    const overlapping = distinctWrites([deregisteredB, deregisteredB, deregisteredB]);
    const mixed = distinctWrites([replaced, deregisteredB, null]);

    // Assess
    expect(overlapping).toEqual({ registered: 0, deregistered: 2 });
    expect(mixed).toEqual({ registered: 1, deregistered: 2 });
    expect(distinctWrites([])).toEqual({ registered: 0, deregistered: 0 });
  });

  it('describes a run: what it wrote, or its failure, or a custom resource answer', () => {
    const result = {
      targetGroups: [
        { registered: ['10.0.1.7:80'], deregistered: ['10.0.2.2:80'], status: 'synced' },
      ],
    };
    expect(describeInvocation(invocation({ result }), RULES)).toBe(
      'TargetGroupSync via ENI event: registered 10.0.1.7:80; deregistered 10.0.2.2:80 (41 ms, 2.9 kB of logs)',
    );
    expect(
      describeInvocation(
        invocation({ result: { targetGroups: [] }, coldStart: true, logBytes: 12 }),
        RULES,
      ),
    ).toBe('TargetGroupSync via ENI event: no change (41 ms (cold start), 12 B of logs)');
    expect(
      describeInvocation(invocation({ errored: true, result: { errorMessage: 'boom' } }), RULES),
    ).toBe('TargetGroupSync via ENI event: FAILED boom (41 ms, 2.9 kB of logs)');
    expect(
      describeInvocation(
        invocation({
          source: 'cloudformation',
          event: { RequestType: 'Create', LogicalResourceId: 'NlbPrivateIps' },
          result: { Status: 'SUCCESS', Data: { PrivateIps: ['10.0.1.5', '10.0.17.6'], Count: 2 } },
        }),
        RULES,
      ),
    ).toBe(
      'TargetGroupSync via CloudFormation Create of NlbPrivateIps: SUCCESS (PrivateIps 10.0.1.5 10.0.17.6, Count 2); 41 ms, 2.9 kB of logs',
    );
  });

  it('says where a change happened, and whether its event went out', () => {
    const node = { eniId: 'eni-1', ip: '10.0.33.4', zone: 'us-east-1c' };
    const zones = ['us-east-1a', 'us-east-1b'];
    expect(describeChange({ ...node, kind: 'add', eventSent: true }, zones)).toBe(
      'ALB adds node 10.0.33.4 (us-east-1c, a zone the NLB does not serve); CreateNetworkInterface event sent',
    );
    expect(
      describeChange({ ...node, zone: 'us-east-1a', kind: 'remove', eventSent: false }, zones),
    ).toBe(
      'ALB removes node 10.0.33.4 (us-east-1a); its event is lost: only the schedule will see it',
    );
    expect(
      describeChange({ ...node, zone: 'us-east-1b', kind: 'remove', eventSent: true }, zones),
    ).toBe('ALB removes node 10.0.33.4 (us-east-1b); DeleteNetworkInterface event sent');
  });

  it("says who made a lookalike and that the ENI rule, for ELB's role only, does not match its event", () => {
    const lookalike = { eniId: 'eni-0f00d', ip: '10.0.1.9', zone: 'us-east-1a' };
    const zones = ['us-east-1a', 'us-east-1b'];
    expect(describeChange({ ...lookalike, kind: 'add lookalike', eventSent: true }, zones)).toBe(
      "an IAM user creates lookalike ENI eni-0f00d 10.0.1.9 (us-east-1a) with the ALB's description; CreateNetworkInterface event sent as the user's call, which the ENI rule does not match (ELB's role only)",
    );
    expect(
      describeChange(
        { ...lookalike, zone: 'us-east-1c', kind: 'remove lookalike', eventSent: false },
        zones,
      ),
    ).toBe(
      "an IAM user deletes lookalike ENI eni-0f00d 10.0.1.9 (us-east-1c, a zone the NLB does not serve) with the ALB's description; its event is lost",
    );
  });

  it('calls the groups converged when the next sync would write nothing, whatever the zones', () => {
    expect(converged(report())).toBe(true);
    const [group] = report().groups;
    if (group === undefined) throw new Error('the fixture has a group');
    expect(converged(report({ groups: [{ ...group, toRegister: ['10.0.1.8:443'] }] }))).toBe(false);
    expect(converged(report({ groups: [{ ...group, toDeregister: ['10.0.1.8:443'] }] }))).toBe(
      false,
    );
    expect(converged(report({ groups: [{ ...group, error: 'AccessDenied' }] }))).toBe(false);
  });

  it('draws the state: static IPs, ALB IPs with the unserved zone marked, each group, the verdict', () => {
    expect(statePanel(report())).toEqual([
      '  static IPs     127.0.0.5  127.0.0.6   (NLB private: 10.0.1.5 10.0.17.6)',
      '  ALB IPs        10.0.1.7  10.0.33.4 (zone not served)',
      '  group :443     10.0.1.7  10.0.33.4',
      '  verdict        in sync',
    ]);
    const [group] = report().groups;
    if (group === undefined) throw new Error('the fixture has a group');
    expect(
      statePanel(
        report({
          staticIps: [],
          groups: [{ ...group, targets: [], toRegister: ['10.0.1.7:443'] }],
          verdict: 'out of sync',
        }),
      ).slice(2),
    ).toEqual(['  group          (empty)', '  verdict        out of sync']);
  });

  it('flags the lookalikes under the ALB IPs, apart from them and from the groups', () => {
    const lines = statePanel(
      report({ lookalikeEnis: ['eni-0f00d 10.0.1.9', 'eni-0bad 10.0.17.2'] }),
    );
    expect(lines.slice(1, 4)).toEqual([
      '  ALB IPs        10.0.1.7  10.0.33.4 (zone not served)',
      "  lookalikes     eni-0f00d 10.0.1.9  eni-0bad 10.0.17.2  (not ELB's, never a target)",
      '  group :443     10.0.1.7  10.0.33.4',
    ]);
    expect(statePanel(report()).join('\n')).not.toContain('lookalike');
  });

  it('tabulates the steps, marking one that never converged, and the totals', () => {
    const lines = summaryTable(
      [
        {
          name: 'deploy',
          albIps: 2,
          registered: 4,
          deregistered: 0,
          convergedMs: 1450,
          by: 'CloudFormation',
        },
        { name: 'lost event', albIps: 3, registered: 0, deregistered: 2 },
      ],
      {
        runs: 4,
        failedRuns: 1,
        coldStarts: 2,
        logBytes: 10_000,
        byTrigger: { schedule: 3, 'ENI event': 1 },
      },
    );
    expect(lines).toEqual([
      'step        ALB IPs  registered  deregistered  in sync after  by',
      '----------  -------  ----------  ------------  -------------  --------------',
      'deploy      2        4           0             1.4 s          CloudFormation',
      'lost event  3        0           2             NOT IN SYNC    -',
      '',
      'function runs: 4 (3 by schedule, 1 by ENI event); 1 failed; 2 cold starts; 10.0 kB of logs (2.5 kB a run)',
    ]);
  });
});
