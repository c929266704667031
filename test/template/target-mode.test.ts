import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetFor } from '../support/work-budget.js';
import { lintTemplates, samTransform, TEMPLATE_PATH, type Template } from './cloudformation.js';
import { type Deployment, deploy, fakeRef, getAtt, type Value } from './evaluate.js';
import { ALB } from './sample-arns.js';

// TargetMode, deployed on paper for each mode after the SAM transform: ip (IP target groups that
// the sync keeps equal to the ALB's addresses) and alb (target groups of type alb with the ALB
// registered, and nothing that runs). cfn-lint checks template.yaml as a whole in the global setup
// (template.test.ts), every condition included; here it checks, besides, the template the SAM
// transform makes for alb mode. The Rules' refusals are in rules.test.ts.
const NEW_NLB = {
  LoadBalancerArn: ALB,
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  ListenerPorts: '443,80',
};
const ALB_MODE = { ...NEW_NLB, TargetMode: 'alb' };

/** Everything that exists to keep IP target groups in sync, and only for that. */
const SYNC_RESOURCES = [
  'TargetGroupSyncFunction',
  'TargetGroupSyncFunctionRole',
  'TargetGroupSyncLogGroup',
  'TargetGroupSync',
  'SyncScheduleRule',
  'SyncSchedulePermission',
  'EniChangeRule',
  'EniChangePermission',
  'SyncDeadLetterQueue',
  'SyncDeadLetterQueuePolicy',
  'SyncErrorsAlarm',
  'IpsOutsideNlbZonesAlarm',
  'TargetGroupSyncErrorsAlarm',
];
/** What alb mode keeps: the static IPs, the NLB and its listeners, the VPC link, alarms, outputs. */
const BRIDGE_RESOURCES = [
  'ElasticIp1',
  'ElasticIp2',
  'NetworkLoadBalancer',
  'TargetGroup1',
  'TargetGroup2',
  'Listener1',
  'Listener2',
  'NlbPrivateIpsFunction',
  'NlbPrivateIps',
  'ApiVpcLink',
  'HealthyHosts1Alarm',
  'HealthyHosts2Alarm',
  'NlbPrivateIpsErrorsAlarm',
  'Dashboard',
];

describe('Template: TargetMode', () => {
  let transformed: Template;
  let albModeFindings: string[];
  let workdir: string;
  const stack = (parameters: Record<string, string>): Deployment => deploy(transformed, parameters);
  const properties = (deployment: Deployment, id: string): Record<string, Value> => {
    const resource = deployment.resources[id];
    if (!resource) throw new Error(`no ${id} in ${Object.keys(deployment.resources).join(', ')}`);
    return resource.Properties;
  };
  const ref = (id: string) => fakeRef(id, transformed.Resources[id] as never);

  beforeAll(
    async () => {
      transformed = samTransform(TEMPLATE_PATH, ALB_MODE);
      workdir = mkdtempSync(join(tmpdir(), 'target-mode-'));
      const path = join(workdir, 'alb-mode.json');
      writeFileSync(path, JSON.stringify(samTransform(TEMPLATE_PATH, ALB_MODE)));
      albModeFindings = (await lintTemplates([path])).get(path) ?? [];
    },
    budgetFor({ samTransform: 2, cfnLint: 1 }),
  );

  afterAll(() => {
    rmSync(workdir, { recursive: true, force: true });
  });

  it('is ip by default: IP target groups the sync keeps, checked by TCP, draining in 30 s', () => {
    const deployment = stack(NEW_NLB);
    expect(properties(deployment, 'TargetGroup1')).toMatchObject({
      TargetType: 'ip',
      Protocol: 'TCP',
      Port: '443',
      HealthCheckProtocol: 'TCP',
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }],
      Tags: [{ Key: 'alb-static-ip:managed', Value: 'true' }],
    });
    for (const absent of [
      'Targets',
      'HealthCheckPath',
      'HealthCheckPort',
      'HealthCheckTimeoutSeconds',
    ])
      expect(properties(deployment, 'TargetGroup1'), absent).not.toHaveProperty(absent);
    for (const id of SYNC_RESOURCES) expect(deployment.resources, id).toHaveProperty(id);
    expect(deployment.outputs).toMatchObject({ TargetMode: 'ip', AlbArn: ALB });
  });

  it('alb: registers the ALB once in each group, of type alb, on the group port, TCP only', () => {
    const deployment = stack(ALB_MODE);
    for (const [id, port] of [
      ['TargetGroup1', '443'],
      ['TargetGroup2', '80'],
    ] as const) {
      const group = properties(deployment, id);
      expect(group, id).toMatchObject({
        TargetType: 'alb',
        Protocol: 'TCP',
        Port: port,
        VpcId: NEW_NLB.VpcId,
        Targets: [{ Id: ALB, Port: port }],
      });
      // AWS keeps an alb group's attributes at their defaults; setting one fails the deploy.
      expect(group, id).not.toHaveProperty('TargetGroupAttributes');
      // No sync writes to it, so it carries no tag that would let the pack's sync write to it.
      expect(group, id).not.toHaveProperty('Tags');
    }
    for (const id of ['Listener1', 'Listener2']) {
      expect(properties(deployment, id).Protocol, id).toBe('TCP');
      expect(properties(deployment, id), id).not.toHaveProperty('Certificates');
    }
    expect(properties(deployment, 'Listener1').DefaultActions).toEqual([
      { Type: 'forward', TargetGroupArn: ref('TargetGroup1') },
    ]);
  });

  it('alb: checks the ALB over HTTPS on each group port by default, within the interval', () => {
    const group = properties(stack(ALB_MODE), 'TargetGroup1');
    expect(group).toMatchObject({
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 6,
    });
    // traffic-port: each group checks through the ALB listener it forwards to.
    expect(group).not.toHaveProperty('HealthCheckPort');
    expect(Number(group.HealthCheckTimeoutSeconds)).toBeLessThan(
      Number(group.HealthCheckIntervalSeconds),
    );
  });

  it('alb: checks every group through one ALB listener when told, with the protocol and path given', () => {
    const deployment = stack({
      ...ALB_MODE,
      ListenerPorts: '80,443',
      AlbHealthCheckProtocol: 'HTTP',
      AlbHealthCheckPort: '8080',
      AlbHealthCheckPath: '/healthz?from=nlb',
    });
    for (const id of ['TargetGroup1', 'TargetGroup2']) {
      expect(properties(deployment, id), id).toMatchObject({
        HealthCheckProtocol: 'HTTP',
        HealthCheckPort: '8080',
        HealthCheckPath: '/healthz?from=nlb',
      });
    }
  });

  it('ip: never sets alb health checks on IP groups, even past the rule that refuses them', () => {
    const deployment = deploy(
      transformed,
      { ...NEW_NLB, AlbHealthCheckPort: '443', AlbHealthCheckPath: '/x' },
      { skipRules: true },
    );
    const group = properties(deployment, 'TargetGroup1');
    expect(group.HealthCheckProtocol).toBe('TCP');
    for (const absent of ['HealthCheckPort', 'HealthCheckPath'])
      expect(group, absent).not.toHaveProperty(absent);
  });

  it('alb: creates nothing that syncs, and keeps the static IPs, NLB, listeners, VPC link and alarms', () => {
    const deployment = stack(ALB_MODE);
    for (const id of SYNC_RESOURCES) expect(deployment.resources, id).not.toHaveProperty(id);
    for (const id of BRIDGE_RESOURCES) expect(deployment.resources, id).toHaveProperty(id);
    const functions = Object.entries(deployment.resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([id]) => id);
    expect(functions).toEqual(['NlbPrivateIpsFunction']);
    expect(Object.values(deployment.resources).map((resource) => resource.Type)).not.toContain(
      'AWS::Events::Rule',
    );
  });

  it('alb: keeps the outputs a user reads, and says which mode it is in', () => {
    const { outputs } = stack(ALB_MODE);
    expect(outputs).toMatchObject({
      NlbArn: ref('NetworkLoadBalancer'),
      NlbDnsName: getAtt('NetworkLoadBalancer', 'DNSName'),
      TargetGroupArns: `${ref('TargetGroup1')},${ref('TargetGroup2')}`,
      VpcLinkId: 'ApiVpcLink-ref',
      NlbPrivateIpsServiceToken: getAtt('NlbPrivateIpsFunction', 'Arn'),
      TargetMode: 'alb',
      AlbArn: ALB,
    });
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['StaticIps', 'NlbPrivateIps']));
    for (const absent of [
      'TargetGroupSyncServiceToken',
      'DeadLetterQueueArn',
      'DeadLetterQueueUrl',
    ])
      expect(outputs, absent).not.toHaveProperty(absent);
  });

  it('alb: shows only the health of the ALB behind each listener on the dashboard', () => {
    const body = properties(stack(ALB_MODE), 'Dashboard').DashboardBody;
    const text = String(body);
    // The health search, filtered to this NLB; no sync metric, which nothing would publish.
    expect(text).toContain('HealthyHostCount');
    expect(text).toContain(String(getAtt('NetworkLoadBalancer', 'LoadBalancerFullName')));
    expect(text).not.toContain('"AlbStaticIp"');
    const widgets = (JSON.parse(text.replaceAll('\\"', "'")) as { widgets: unknown[] }).widgets;
    expect(widgets).toHaveLength(1);
  });

  it('alb: gives no role a write to a target group: nothing runs that could change one', () => {
    const deployment = stack(ALB_MODE);
    const actions = Object.values(deployment.resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Role')
      .flatMap((role) =>
        ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Value[] } }[]).flatMap(
          (policy) => policy.PolicyDocument.Statement,
        ),
      )
      .flatMap((statement) => [(statement as { Action: Value }).Action].flat());
    expect(actions.filter((action) => /Targets|Tags$/.test(String(action)))).toEqual([]);
  });

  it('alb: the template the SAM transform makes passes cfn-lint with no finding', () => {
    expect(albModeFindings).toEqual([]);
  });
});
