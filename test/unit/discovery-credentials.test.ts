import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { discoveryClientsFor, stsAssumeRole } from '../../functions/shared/aws-clients.js';
import {
  type AssumedCredentials,
  type AssumeRole,
  assumedRoleCredentials,
  REFRESH_BEFORE_EXPIRY_MS,
  SESSION_SECONDS,
} from '../../functions/shared/discovery-credentials.js';
import { DiscoveryRoleError } from '../../functions/shared/errors.js';
import { awsError } from '../support/aws-errors.js';
import { failureOf } from '../support/failure-of.js';

const ROLE = 'arn:aws:iam::210987654321:role/alb-static-ip/discovery';
const T0 = Date.UTC(2026, 0, 1);

const session = (n: number, expiresAt: number): AssumedCredentials => ({
  accessKeyId: `ASIA${n}`,
  secretAccessKey: `secret-${n}`,
  sessionToken: `token-${n}`,
  expiration: new Date(expiresAt),
});

describe('Function: assumedRoleCredentials', () => {
  it('assumes the role once, with its external id, a session name and the shortest session', async () => {
    // Arrange
    const assumeRole = vi.fn<AssumeRole>(async () => session(1, T0 + SESSION_SECONDS * 1000));
    const provider = assumedRoleCredentials(
      assumeRole,
      { roleArn: ROLE, externalId: 'ext-123' },
      'alb-static-ip-target-group-sync',
      () => T0,
    );

    // Act
    const first = await provider();
    const second = await provider();

    // Assess
    expect(first).toBe(second);
    expect(first.accessKeyId).toBe('ASIA1');
    expect(assumeRole).toHaveBeenCalledTimes(1);
    expect(assumeRole).toHaveBeenCalledWith({
      RoleArn: ROLE,
      RoleSessionName: 'alb-static-ip-target-group-sync',
      ExternalId: 'ext-123',
      DurationSeconds: 900,
    });
  });

  it('sends no ExternalId when the binding gives none', async () => {
    const assumeRole = vi.fn<AssumeRole>(async () => session(1, T0 + 900_000));
    await assumedRoleCredentials(assumeRole, { roleArn: ROLE }, 's', () => T0)();
    expect(assumeRole.mock.calls[0]?.[0]).not.toHaveProperty('ExternalId');
  });

  it('renews the session 5 minutes before it expires, not sooner', async () => {
    // Arrange
    let now = T0;
    const expiry = T0 + 900_000;
    let n = 0;
    const assumeRole = vi.fn<AssumeRole>(async () => session(++n, now + 900_000));
    const provider = assumedRoleCredentials(assumeRole, { roleArn: ROLE }, 's', () => now);
    await provider();

    // Act: 1 ms before the refresh point, then at it
    now = expiry - REFRESH_BEFORE_EXPIRY_MS - 1;
    const kept = await provider();
    now = expiry - REFRESH_BEFORE_EXPIRY_MS;
    const renewed = await provider();

    // Assess: the SDK's own providers keep the same 5 minutes
    expect(REFRESH_BEFORE_EXPIRY_MS).toBe(300_000);
    expect(kept.accessKeyId).toBe('ASIA1');
    expect(renewed.accessKeyId).toBe('ASIA2');
    expect(assumeRole).toHaveBeenCalledTimes(2);
  });

  it('makes one AssumeRole call for calls that arrive while it is in flight', async () => {
    // Arrange
    let answer: (credentials: AssumedCredentials) => void = () => {};
    const assumeRole = vi.fn<AssumeRole>(() => new Promise((resolve) => (answer = resolve)));
    const provider = assumedRoleCredentials(assumeRole, { roleArn: ROLE }, 's', () => T0);

    // Act
    const calls = [provider(), provider(), provider()];
    answer(session(1, T0 + 900_000));
    const results = await Promise.all(calls);

    // Assess
    expect(assumeRole).toHaveBeenCalledTimes(1);
    expect(new Set(results).size).toBe(1);
  });

  it('fails with the role and STS error named, keeps no failure, and tries again next time', async () => {
    // Arrange
    const assumeRole = vi
      .fn<AssumeRole>()
      .mockRejectedValueOnce(
        awsError(
          'AccessDenied',
          `User is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`,
        ),
      )
      .mockResolvedValueOnce(session(2, T0 + 900_000));
    const provider = assumedRoleCredentials(
      assumeRole,
      { roleArn: ROLE, externalId: 'ext-123' },
      's',
      () => T0,
    );

    // Act
    const error = await failureOf(provider());
    const later = await provider();

    // Assess
    expect(error).toBeInstanceOf(DiscoveryRoleError);
    expect(error.message).toBe(
      `DiscoveryRoleArn: could not assume ${ROLE} with the given DiscoveryExternalId: AccessDenied: User is not authorized to perform: sts:AssumeRole on resource: ${ROLE}; expected a role in the ALB's account whose trust policy allows this function's role (see examples/discovery-role.yaml)`,
    );
    expect((error as Error & { cause: unknown }).cause).toMatchObject({ name: 'AccessDenied' });
    expect(later.accessKeyId).toBe('ASIA2');
  });

  it('writes out a thrown value that is not an Error', async () => {
    const provider = assumedRoleCredentials(
      async () => Promise.reject('refused'),
      { roleArn: ROLE },
      's',
    );
    expect((await failureOf(provider())).message).toBe(
      `DiscoveryRoleArn: could not assume ${ROLE}: refused; expected a role in the ALB's account whose trust policy allows this function's role (see examples/discovery-role.yaml)`,
    );
  });
});

describe('Function: stsAssumeRole', () => {
  const stsMock = mockClient(STSClient);
  beforeEach(() => stsMock.reset());

  it("sends AssumeRole and returns the session's credentials", async () => {
    // Arrange
    const expiration = new Date(T0 + 900_000);
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIA1',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: expiration,
      },
    });
    const assumeRole = stsAssumeRole();
    const request = { RoleArn: ROLE, RoleSessionName: 's', DurationSeconds: 900 };

    // Act
    const credentials = await assumeRole(request);
    await assumeRole(request);
    assumeRole.destroy();

    // Assess
    expect(credentials).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration,
    });
    expect(stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual(request);
  });

  it.each(['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'])(
    'refuses an answer without %s',
    async (missing) => {
      const Credentials: Record<string, unknown> = {
        AccessKeyId: 'ASIA1',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(T0),
      };
      delete Credentials[missing];
      stsMock.on(AssumeRoleCommand).resolves({ Credentials } as never);
      const assumeRole = stsAssumeRole();
      expect(
        (await failureOf(assumeRole({ RoleArn: ROLE, RoleSessionName: 's', DurationSeconds: 900 })))
          .message,
      ).toBe('AssumeRole answered without credentials');
    },
  );

  it('destroys nothing when no call was made', () => {
    expect(() => stsAssumeRole().destroy()).not.toThrow();
  });
});

describe('Function: discoveryClientsFor', () => {
  it('keeps one pair of clients per role and external id, signed by the assumed role', async () => {
    // Arrange
    const assumeRole = vi.fn<AssumeRole>(async () => session(1, Date.now() + 900_000));
    const clientsFor = discoveryClientsFor(assumeRole, 'alb-static-ip-cli');

    // Act
    const first = clientsFor({ roleArn: ROLE, externalId: 'a1' });
    const again = clientsFor({ roleArn: ROLE, externalId: 'a1' });
    const other = clientsFor({ roleArn: ROLE, externalId: 'b2' });
    const bare = clientsFor({ roleArn: ROLE });
    const signedWith = await first.ec2.config.credentials();
    const elbSignedWith = await first.elbv2.config.credentials();

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(bare).not.toBe(first);
    expect(signedWith).toMatchObject({ accessKeyId: 'ASIA1', sessionToken: 'token-1' });
    expect(elbSignedWith).toMatchObject({ accessKeyId: 'ASIA1' });
    expect(assumeRole).toHaveBeenCalledWith(
      expect.objectContaining({ RoleSessionName: 'alb-static-ip-cli', ExternalId: 'a1' }),
    );
  });

  it('destroys every client it made', () => {
    // Arrange
    const clientsFor = discoveryClientsFor(vi.fn<AssumeRole>(), 's');
    const clients = clientsFor({ roleArn: ROLE });
    const ec2 = vi.spyOn(clients.ec2, 'destroy');
    const elbv2 = vi.spyOn(clients.elbv2, 'destroy');

    // Act
    clientsFor.destroy();

    // Assess
    expect(ec2).toHaveBeenCalledOnce();
    expect(elbv2).toHaveBeenCalledOnce();
  });
});
