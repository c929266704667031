import { afterEach, describe, expect, it, vi } from 'vitest';
import { BRIDGE_TYPE } from '../../functions/bridge-macro/expand.js';
import { captureOutput } from '../support/captured-output.js';
import { lambdaContext } from '../support/lambda-context.js';

// The macro's Lambda entry point: its settings checked when it loads, each request answered, and
// one log line per request (the refusal's message at ERROR, so that it is found in the logs).
const SETTINGS = {
  SYNC_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:pack-TargetGroupSync',
  NLB_PRIVATE_IPS_FUNCTION_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:pack-NlbPrivateIps',
  DEAD_LETTER_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:pack-SyncDeadLetterQueue',
};
const BRIDGE = {
  LoadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
  VpcId: 'vpc-0123456789abcdef0',
  SubnetIds: ['subnet-0000000000000000a'],
  Ports: [443],
};
const request = (properties: Record<string, unknown>) => ({
  requestId: 'r-1',
  region: 'us-east-1',
  accountId: '123456789012',
  transformId: '123456789012::AlbStaticIp',
  params: {},
  templateParameterValues: {},
  fragment: { Resources: { WebStaticIps: { Type: BRIDGE_TYPE, Properties: properties } } },
});

/** The entry point, loaded afresh with these settings, as a new Lambda container loads it. */
async function freshHandler(settings: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
  const { handler } = await import('../../functions/bridge-macro/index.js');
  return handler;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('Handler: bridge-macro', () => {
  it('expands the request with the shared functions of its settings, and logs one line', async () => {
    const handler = await freshHandler(SETTINGS);
    const logs = captureOutput();

    const answer = await handler(request(BRIDGE), lambdaContext());

    expect(answer).toMatchObject({ requestId: 'r-1', status: 'success' });
    const resources = (answer.fragment as { Resources: Record<string, { Properties: unknown }> })
      .Resources;
    expect(resources.WebStaticIpsSync?.Properties).toMatchObject({
      ServiceToken: SETTINGS.SYNC_FUNCTION_ARN,
    });
    expect(logs()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'Template expanded', requestId: 'r-1' }),
    ]);
  });

  it('answers failure to a bad bridge, and logs the message at ERROR', async () => {
    const handler = await freshHandler(SETTINGS);
    const logs = captureOutput();

    const answer = await handler(request({ ...BRIDGE, Ports: ['https'] }), lambdaContext());

    expect(answer).toMatchObject({ requestId: 'r-1', status: 'failure' });
    expect(logs()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'Template refused',
        requestId: 'r-1',
        errorMessage: expect.stringContaining('Ports[0]: got "https"'),
      }),
    ]);
  });

  it('refuses to load without its settings, naming the one missing', async () => {
    const { DEAD_LETTER_QUEUE_ARN: _queue, ...without } = SETTINGS;
    vi.stubEnv('DEAD_LETTER_QUEUE_ARN', undefined);

    await expect(freshHandler(without)).rejects.toThrow(
      /^Invalid configuration: DEAD_LETTER_QUEUE_ARN: got nothing/,
    );
  });
});
