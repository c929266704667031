import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { SyncSummary } from '../../functions/target-group-sync/sync.js';
import { AwsWorld } from '../support/aws-world.js';
import { emulatorSuite, sendRequest } from '../support/emulator-suite.js';
import { loadEvent } from '../support/events.js';
import { failureOf } from '../support/failure-of.js';
import { lambdaContext } from '../support/lambda-context.js';
import { queryErrorBody } from '../support/recording-proxy.js';

// An ALB in another account (README, "An ALB in another account"), on moto with two accounts.
// moto scopes each call to the account of the credentials that sign it: the environment's are its
// default account, 123456789012 (the NLB's, where the function runs), and a role assumed in
// 210987654321 gets credentials of that account. moto's AssumeRole does not check that the role
// exists or what its trust policy says ("the role does not need to exist", moto/sts/models.py),
// so a role that cannot be assumed is STS's refusal, answered by the recording proxy.
const suite = emulatorSuite(() => import('../../functions/target-group-sync/index.js'));
const ALB_ACCOUNT = '210987654321';
const ROLE = `arn:aws:iam::${ALB_ACCOUNT}:role/alb-static-ip/discovery`;
const EXTERNAL_ID = '6f1c1b8e-3f0e-4a57-9a53-3c2b1f0e9d41';
const WRITES = ['RegisterTargets', 'DeregisterTargets'];

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * A Lambda container of its own: a fresh module, with no role session kept from a test before. Its
 * environment allows roles in `accounts`, as the template's DISCOVERY_ACCOUNT_IDS does: the
 * function's own account, and the ALB's.
 */
async function coldHandler(accounts = `123456789012,${ALB_ACCOUNT}`): Promise<Handler> {
  vi.stubEnv('DISCOVERY_ACCOUNT_IDS', accounts);
  vi.resetModules();
  return (await import('../../functions/target-group-sync/index.js')).handler as Handler;
}

/** The ALB's account, as a role assumed there sees it: built directly on moto. */
async function albAccount(): Promise<AwsWorld> {
  // This STS client has no credential chain of its own: it signs as this account's world does.
  const sts = new STSClient({
    endpoint: suite.moto.endpoint,
    credentials: suite.world.ec2.config.credentials,
  });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${ALB_ACCOUNT}:role/builder`,
      RoleSessionName: 'builder',
    }),
  );
  sts.destroy();
  return new AwsWorld(suite.moto.endpoint, {
    accessKeyId: Credentials?.AccessKeyId ?? '',
    secretAccessKey: Credentials?.SecretAccessKey ?? '',
    sessionToken: Credentials?.SessionToken ?? '',
  });
}

/** The ALB and 3 interfaces in the ALB's account; the NLB and its IP target group in this one. */
async function crossAccountBridge() {
  const alb = await albAccount();
  const albNetwork = await alb.network('10.1');
  const albArn = await alb.loadBalancer('web', 'application', albNetwork.subnetIds);
  const enis = await alb.loadBalancerEnis(albArn, albNetwork.subnetIds, 3);
  const nlbNetwork = await suite.world.network('10.0');
  const nlbArn = await suite.world.loadBalancer('web-static', 'network', nlbNetwork.subnetIds);
  const targetGroupArn = await suite.world.targetGroup('web-static-443', nlbNetwork.vpcId, 443);
  await suite.world.listener(nlbArn, 443, targetGroupArn);
  const binding = {
    LoadBalancerArn: albArn,
    TargetGroupArns: [targetGroupArn],
    DiscoveryRoleArn: ROLE,
    DiscoveryExternalId: EXTERNAL_ID,
  };
  return { albArn, enis, targetGroupArn, binding };
}

afterAll(() => {
  vi.unstubAllEnvs();
});

const calls = (action: string) => suite.proxy.calls.filter((call) => call.action === action);

describe('target-group-sync: an ALB in another account, on moto', () => {
  it("assumes the role once, reads the ALB's account through it, and registers its IPs here for all zones", async () => {
    // Arrange
    const { albArn, enis, targetGroupArn, binding } = await crossAccountBridge();
    expect(albArn).toContain(`:${ALB_ACCOUNT}:loadbalancer/app/web/`);
    expect(targetGroupArn).toContain(':123456789012:targetgroup/');
    const handler = await coldHandler();
    const event = loadEvent('scheduled-sync', binding);

    // Act: two runs of one container
    const summary = (await handler(event, lambdaContext())) as SyncSummary;
    await handler(event, lambdaContext());

    // Assess
    const assumed = calls('AssumeRole');
    expect(assumed).toHaveLength(1);
    expect(Object.fromEntries(assumed[0]?.params ?? [])).toMatchObject({
      RoleArn: ROLE,
      ExternalId: EXTERNAL_ID,
      RoleSessionName: 'alb-static-ip-target-group-sync',
      DurationSeconds: '900',
    });
    const ips = enis.map((eni) => eni.ip).sort();
    expect([...summary.albIps].sort()).toEqual(ips);
    expect(summary.targetGroups[0]).toMatchObject({ status: 'synced' });
    expect((await suite.world.targets(targetGroupArn)).sort()).toEqual(
      ips.map((ip) => `${ip}:443`).sort(),
    );
    const registered = calls('RegisterTargets');
    expect(registered).toHaveLength(1);
    const zones = [...(registered[0]?.params.entries() ?? [])]
      .filter(([key]) => /^Targets\.member\.\d+\.AvailabilityZone$/.test(key))
      .map(([, value]) => value);
    expect(zones).toEqual(['all', 'all', 'all']);
  });

  it('fails naming the role and STS error, and writes nothing, when the role cannot be assumed', async () => {
    // Arrange
    const { binding, targetGroupArn } = await crossAccountBridge();
    const handler = await coldHandler();
    const refusal = `User: arn:aws:sts::123456789012:assumed-role/sync/x is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`;
    suite.proxy.inject((call) =>
      call.action === 'AssumeRole'
        ? { status: 403, body: queryErrorBody('AccessDenied', refusal) }
        : undefined,
    );

    // Act
    const error = await failureOf(handler(loadEvent('scheduled-sync', binding), lambdaContext()));

    // Assess
    expect(error.message).toBe(
      `DiscoveryRoleArn: could not assume ${ROLE} with the given DiscoveryExternalId: AccessDenied: ${refusal}; expected a role in the ALB's account whose trust policy allows this function's role (see examples/discovery-role.yaml)`,
    );
    const actions = suite.proxy.actions();
    expect(actions.filter((action) => WRITES.includes(action))).toEqual([]);
    expect(actions).not.toContain('DescribeNetworkInterfaces');
    expect(await suite.world.targets(targetGroupArn)).toEqual([]);
  });

  it('refuses a role in an account the pack was not given, before AssumeRole, as sync and custom resource', async () => {
    // Arrange: the pack's DiscoveryAccountIds left empty; its own account only
    const { binding, targetGroupArn } = await crossAccountBridge();
    const handler = await coldHandler('123456789012');
    const refusal = `DiscoveryRoleArn: got "${ROLE}", in account ${ALB_ACCOUNT}; expected a role in an account this function may discover in (123456789012). Add the account to the pack's DiscoveryAccountIds parameter if its ALBs are yours to front`;

    // Act
    const error = await failureOf(handler(loadEvent('scheduled-sync', binding), lambdaContext()));
    suite.handler = handler;
    const answer = await sendRequest(suite, 'target-group-sync-create', binding);

    // Assess: no STS call, nothing read in the ALB's account, nothing written
    expect(error.message).toBe(refusal);
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(refusal);
    const actions = suite.proxy.actions();
    expect(actions).not.toContain('AssumeRole');
    expect(actions).not.toContain('DescribeNetworkInterfaces');
    expect(actions.filter((action) => WRITES.includes(action))).toEqual([]);
    expect(await suite.world.targets(targetGroupArn)).toEqual([]);
  });

  it('answers the custom resource FAILED with that reason, and writes nothing', async () => {
    // Arrange
    const { binding, targetGroupArn } = await crossAccountBridge();
    suite.proxy.inject((call) =>
      call.action === 'AssumeRole'
        ? { status: 403, body: queryErrorBody('AccessDenied', 'not authorized') }
        : undefined,
    );
    suite.handler = await coldHandler();

    // Act
    const answer = await sendRequest(suite, 'target-group-sync-create', binding);

    // Assess
    expect(answer.Status).toBe('FAILED');
    expect(answer.Reason).toContain(`DiscoveryRoleArn: could not assume ${ROLE}`);
    expect(answer.Reason).toContain('AccessDenied: not authorized');
    expect(suite.proxy.actions().filter((action) => WRITES.includes(action))).toEqual([]);
    expect(await suite.world.targets(targetGroupArn)).toEqual([]);
  });
});
