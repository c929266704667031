import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CREATE_FAILED_MARKER } from '../../functions/shared/custom-resource.js';
import type { CustomResourceResponse } from '../../functions/shared/custom-resource-response.js';
import type { SyncSummary } from '../../functions/target-group-sync/sync.js';
import { captureOutput } from '../support/captured-output.js';
import { CREATED_BY_ELB } from '../support/elb-eni.js';
import { loadEvent } from '../support/events.js';
import { lambdaContext } from '../support/lambda-context.js';

const ec2Mock = mockClient(EC2Client);
const elbMock = mockClient(ElasticLoadBalancingV2Client);

const event = loadEvent('scheduled-sync');
const ALB = event.LoadBalancerArn as string;
const [TG] = event.TargetGroupArns as string[];

/**
 * A fresh copy of the function's entry point (index.ts, which loads the handler module behind the
 * init guard, as Lambda does), so module-level state (metrics, clients) starts anew.
 */
async function freshHandler() {
  vi.resetModules();
  const { handler } = await import('../../functions/target-group-sync/index.js');
  return (event: unknown) => handler(event, lambdaContext()) as Promise<SyncSummary>;
}

/** A loopback port that nothing listens on: a PUT to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The one signal every ELB call of a run was sent with; fails if they differ or one has none. */
function signalOfTheRun(): AbortSignal {
  const sent = elbMock
    .calls()
    .map(
      (call) => ((call.args as unknown[])[1] as { abortSignal?: unknown } | undefined)?.abortSignal,
    );
  expect(new Set(sent).size).toBe(1);
  const [signal] = sent;
  expect(signal).toBeInstanceOf(AbortSignal);
  return signal as AbortSignal;
}

afterEach(() => {
  vi.useRealTimers();
});

beforeEach(() => {
  ec2Mock.reset();
  elbMock.reset();
  elbMock
    .on(DescribeLoadBalancersCommand)
    .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: 'application' }] });
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      {
        ...CREATED_BY_ELB,
        Description: 'ELB app/web/50dc6c495c0c9188',
        PrivateIpAddress: '10.0.0.7',
        VpcId: 'vpc-1',
        AvailabilityZone: 'us-east-1a',
      },
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

  it('logs JSON with the IP count and publishes EMF metrics in our namespace', async () => {
    // Prepare
    const handler = await freshHandler();
    const printed = captureOutput();

    // Act
    await handler(event);

    // Assess: at the default level, counts and changes; the IPs only as the targets written
    const lines = printed();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'Sync complete',
        service: 'target-group-sync',
        summary: expect.objectContaining({ albIpCount: 1, albIpsByZone: { 'us-east-1a': 1 } }),
      }),
    );
    expect(lines).not.toContainEqual(expect.objectContaining({ message: 'Discovered ALB IPs' }));
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
              { Name: 'IpsOutsideNlbZones', Unit: 'Count' },
              { Name: 'SyncErrors', Unit: 'Count' },
            ]),
          },
        ],
      },
      LoadBalancer: 'app/web/50dc6c495c0c9188',
      AlbIpCount: 1,
      TargetsRegistered: 1,
      TargetsDeregistered: 0,
      IpsOutsideNlbZones: 0,
      SyncErrors: 0,
    });
  });

  it('logs every interface discovered, and the whole summary, when the log level is DEBUG', async () => {
    // Prepare: what the template's LogLevel parameter sets
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
    const handler = await freshHandler();
    const printed = captureOutput();

    // Act
    const summary = await handler(event);

    // Assess
    const lines = printed();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'DEBUG',
        message: 'Discovered ALB IPs',
        networkInterfaces: [expect.objectContaining({ privateIp: '10.0.0.7' })],
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'DEBUG',
        message: 'Sync complete (every IP and target)',
        summary,
      }),
    );
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
        message: 'Invalid input: nothing was read or written',
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

  it('refuses a metrics namespace under the reserved AWS/ prefix, when it loads', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'AWS/ApplicationELB');
    const handler = await freshHandler();
    captureOutput();

    await expect(handler(event)).rejects.toThrow(
      'POWERTOOLS_METRICS_NAMESPACE: got "AWS/ApplicationELB"; expected a namespace of our own',
    );
    expect(elbMock.calls()).toHaveLength(0);
  });

  it('passes the sync a signal that is not aborted, the same for every call', async () => {
    // Prepare
    const handler = await freshHandler();
    captureOutput();

    // Act
    await handler(event);

    // Assess
    expect(elbMock.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'DescribeLoadBalancersCommand',
      'DescribeTargetGroupsCommand',
      'DescribeTargetHealthCommand',
      'RegisterTargetsCommand',
    ]);
    expect(signalOfTheRun().aborted).toBe(false);
  });

  it('stops writing 5 s before the Lambda deadline, naming why', async () => {
    // Prepare: 60 s left; the clock reaches 55 s while the registered targets are read
    vi.useFakeTimers();
    const handler = await freshHandler();
    captureOutput();
    elbMock.on(DescribeTargetHealthCommand).callsFake(async () => {
      vi.advanceTimersByTime(55_000);
      return { TargetHealthDescriptions: [] };
    });

    // Act
    const error = await handler(event).then(
      () => new Error('expected the run to fail'),
      (failure: Error) => failure,
    );

    // Assess: the reads are done before discovery, so the run stops there, with the reason
    expect(error.message).toBe(
      "The run was stopped before the Lambda function's timeout; nothing more is written",
    );
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeNetworkInterfacesCommand);
    expect(elbMock).not.toHaveReceivedCommand(RegisterTargetsCommand);
    expect(signalOfTheRun().aborted).toBe(true);
  });

  it('still writes 1 ms before the stop, and disposes of the timer once the run is over', async () => {
    // Prepare
    vi.useFakeTimers();
    const handler = await freshHandler();
    captureOutput();
    elbMock.on(DescribeTargetHealthCommand).callsFake(async () => {
      vi.advanceTimersByTime(54_999);
      return { TargetHealthDescriptions: [] };
    });

    // Act
    await handler(event);
    vi.advanceTimersByTime(60_000);

    // Assess
    expect(elbMock).toHaveReceivedCommandTimes(RegisterTargetsCommand, 1);
    expect(signalOfTheRun().aborted).toBe(false);
  });

  it('answers a malformed custom-resource request through the runtime, not as a binding', async () => {
    // Prepare: nothing listens at the ResponseURL, so every PUT is refused, without waiting
    // between attempts (the backoff's jitter is 0)
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const responseUrl = `http://127.0.0.1:${await closedPort()}/answer?X-Amz-Signature=s3cr3t`;
    const request = loadEvent('target-group-sync-create', {
      RequestType: 'Patch',
      ResponseURL: responseUrl,
    });
    const handler = await freshHandler();
    const printed = captureOutput();

    // Act
    const answer = (await handler(request)) as unknown as CustomResourceResponse;

    // Assess
    expect(answer).toStrictEqual({
      Status: 'FAILED',
      Reason:
        'Invalid request: RequestType: got "Patch"; expected Create, Update or Delete (log stream: 2026/11/21/[$LATEST]0123456789abcdef)',
      PhysicalResourceId: CREATE_FAILED_MARKER,
      StackId: request.StackId,
      RequestId: request.RequestId,
      LogicalResourceId: request.LogicalResourceId,
    });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(elbMock.calls()).toHaveLength(0);
    const lines = printed();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'Custom resource response could not be sent',
      }),
    );
    expect(lines).not.toContainEqual(
      expect.objectContaining({
        message: 'Invalid input: nothing was read or written',
      }),
    );
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
  });
});
