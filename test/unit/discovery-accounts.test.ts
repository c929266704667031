import { describe, expect, it, vi } from 'vitest';
import type { DiscoveryClients } from '../../functions/shared/aws-clients.js';
import {
  onlyInAccounts,
  readDiscoveryAccounts,
} from '../../functions/shared/discovery-accounts.js';
import { ConfigurationError, DiscoveryRoleError } from '../../functions/shared/errors.js';

const roleIn = (account: string) => ({
  roleArn: `arn:aws:iam::${account}:role/alb-static-ip/discovery`,
  externalId: 'an-external-id',
});

describe('Function: readDiscoveryAccounts', () => {
  it('reads the accounts, ignoring empty entries and spaces', () => {
    expect([
      ...readDiscoveryAccounts({ DISCOVERY_ACCOUNT_IDS: '123456789012, 210987654321,,' }),
    ]).toEqual(['123456789012', '210987654321']);
  });

  it.each([
    ['unset', {}],
    ['empty', { DISCOVERY_ACCOUNT_IDS: '' }],
    ['only commas', { DISCOVERY_ACCOUNT_IDS: ',' }],
  ])('allows no account when the setting is %s', (_, env) => {
    expect(readDiscoveryAccounts(env).size).toBe(0);
  });

  it.each(['12345678901', '1234567890123', 'my-account', '12345678901a'])(
    'refuses %s, naming the setting and the entry',
    (entry) => {
      let error: unknown;
      try {
        readDiscoveryAccounts({ DISCOVERY_ACCOUNT_IDS: `123456789012,${entry}` });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toBe(
        `Invalid configuration: DISCOVERY_ACCOUNT_IDS: got "${entry}"; expected 12-digit AWS account ids, comma-separated`,
      );
    },
  );
});

describe('Function: onlyInAccounts', () => {
  const clients = { marker: 'the clients' } as unknown as DiscoveryClients;

  it('hands a role in an allowed account to the clients it wraps', () => {
    const clientsFor = vi.fn(() => clients);
    const allowed = onlyInAccounts(clientsFor, new Set(['123456789012', '210987654321']));

    expect(allowed(roleIn('210987654321'))).toBe(clients);
    expect(clientsFor).toHaveBeenCalledWith(roleIn('210987654321'));
  });

  it('refuses a role in any other account before its clients, and so its AssumeRole, exist', () => {
    const clientsFor = vi.fn(() => clients);
    const allowed = onlyInAccounts(clientsFor, new Set(['210987654321', '123456789012']));

    expect(() => allowed(roleIn('999999999999'))).toThrow(
      new DiscoveryRoleError(
        'DiscoveryRoleArn: got "arn:aws:iam::999999999999:role/alb-static-ip/discovery", in account 999999999999; expected a role in an account this function may discover in (123456789012, 210987654321). Add the account to the pack\'s DiscoveryAccountIds parameter if its ALBs are yours to front',
      ),
    );
    expect(clientsFor).not.toHaveBeenCalled();
  });

  it('refuses every role when no account is allowed, and says none is', () => {
    const allowed = onlyInAccounts(() => clients, new Set());

    expect(() => allowed(roleIn('123456789012'))).toThrow(/may discover in \(none\)\./);
  });

  it('refuses a role ARN it cannot read an account from', () => {
    const allowed = onlyInAccounts(() => clients, new Set(['123456789012']));

    expect(() => allowed({ roleArn: 'arn:aws:iam::123456789012:user/someone' })).toThrow(
      'DiscoveryRoleArn: got "arn:aws:iam::123456789012:user/someone", in account (none);',
    );
  });
});
