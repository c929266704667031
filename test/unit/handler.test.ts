import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncSummary } from '../../functions/target-group-sync/sync.js';
import { loadEvent } from '../support/events.js';

const ec2Mock = mockClient(EC2Client);
const elbMock = mockClient(ElasticLoadBalancingV2Client);

const event = loadEvent('scheduled-sync');
const ALB = event.LoadBalancerArn as string;
const [TG] = event.TargetGroupArns as string[];

/** Every JSON line the function printed (Powertools writes to stdout, and errors to stderr). */
function captureOutput(): () => Record<string, unknown>[] {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(record);
  vi.spyOn(process.stderr, 'write').mockImplementation(record);
  return () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** A fresh copy of the handler module, so module-level state (metrics, clients) starts anew. */
async function freshHandler() {
  vi.resetModules();
  const { handler } = await import('../../functions/target-group-sync/handler.js');
  return (event: unknown) => handler(event) as Promise<SyncSummary>;
}

beforeEach(() => {
  ec2Mock.reset();
  elbMock.reset();
  elbMock
    .on(DescribeLoadBalancersCommand)
    .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: 'application' }] });
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      { Description: 'ELB app/web/50dc6c495c0c9188', PrivateIpAddress: '10.0.0.7', VpcId: 'vpc-1' },
    ],
  });
  elbMock.on(DescribeTargetGroupsCommand).resolves({
    TargetGroups: [{ TargetGroupArn: TG, TargetType: 'ip', Port: 443, VpcId: 'vpc-1' }],
  });
  elbMock.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
});

describe('Function: handler (target-group-sync)', () => {
  it('syncs the sample scheduled event and returns the summary', async () => {
    const handler = await freshHandler();
    captureOutput();

    const summary = await handler(event);

    expect(summary.targetGroups).toEqual([
      {
        targetGroupArn: TG,
        status: 'synced',
        registered: ['10.0.0.7:443'],
        deregistered: [],
        unchanged: [],
      },
    ]);
    expect(elbMock).toHaveReceivedCommandWith(RegisterTargetsCommand, {
      TargetGroupArn: TG,
      Targets: [{ Id: '10.0.0.7', Port: 443 }],
    });
  });

  it('logs JSON with the discovered IPs and publishes EMF metrics in our namespace', async () => {
    // Prepare
    const handler = await freshHandler();
    const printed = captureOutput();

    // Act
    await handler(event);

    // Assess
    const lines = printed();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Discovered ALB IPs',
        service: 'target-group-sync',
        albIps: ['10.0.0.7'],
      }),
    );
    const emf = lines.find((line) => '_aws' in line);
    expect(emf).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'AlbStaticIp',
            Dimensions: [expect.arrayContaining(['service', 'LoadBalancer'])],
            Metrics: expect.arrayContaining([
              { Name: 'AlbIpCount', Unit: 'Count' },
              { Name: 'TargetsRegistered', Unit: 'Count' },
              { Name: 'TargetsDeregistered', Unit: 'Count' },
              { Name: 'SyncErrors', Unit: 'Count' },
            ]),
          },
        ],
      },
      LoadBalancer: 'app/web/50dc6c495c0c9188',
      AlbIpCount: 1,
      TargetsRegistered: 1,
      TargetsDeregistered: 0,
      SyncErrors: 0,
    });
  });

  it('rejects bad input before any AWS call, naming the field and value', async () => {
    const handler = await freshHandler();
    const printed = captureOutput();

    await expect(handler({ ...event, DryRun: 'maybe' })).rejects.toThrow(
      'Invalid input: DryRun: got "maybe"; expected true or false',
    );

    expect(ec2Mock.calls()).toHaveLength(0);
    expect(elbMock.calls()).toHaveLength(0);
    expect(printed()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'Invalid input or configuration: nothing was read or written',
      }),
    );
  });

  it('publishes SyncErrors when the sync fails', async () => {
    const handler = await freshHandler();
    const printed = captureOutput();
    elbMock
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: 'network' }] });

    await expect(handler(event)).rejects.toThrow(/which is a Network Load Balancer/);

    expect(printed().find((line) => '_aws' in line)).toMatchObject({ SyncErrors: 1 });
  });

  it('refuses a metrics namespace under the reserved AWS/ prefix', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'AWS/ApplicationELB');
    const handler = await freshHandler();
    captureOutput();

    await expect(handler(event)).rejects.toThrow(
      'POWERTOOLS_METRICS_NAMESPACE: got "AWS/ApplicationELB"; expected a namespace of our own',
    );
    expect(elbMock.calls()).toHaveLength(0);
  });
});
