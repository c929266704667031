import type { DiscoveryClientsFor } from './aws-clients.js';
import { ROLE_ARN } from './binding.js';
import { ConfigurationError, DiscoveryRoleError } from './errors.js';

/**
 * The accounts in which the sync may assume a discovery role. The pack's sync serves every bridge
 * of its account, and any EventBridge rule of the account may invoke it with any input, so a
 * binding's DiscoveryRoleArn is not trusted by itself: whoever can write a rule could name a role
 * in an account they own, whose "ALB" would then fill a managed target group. The template sets
 * DISCOVERY_ACCOUNT_IDS to the function's own account and the pack's DiscoveryAccountIds (or a
 * bridge's own role's account); a role elsewhere is refused before STS is called. The function's
 * policy holds it to the same accounts (aws:ResourceAccount), so each check stands alone.
 * README, "Who can do what to the static IPs' traffic".
 */
export const DISCOVERY_ACCOUNTS_VARIABLE = 'DISCOVERY_ACCOUNT_IDS';

const ACCOUNT_ID = /^[0-9]{12}$/;

/**
 * The accounts the environment names, comma-separated, empty entries ignored (the template joins
 * an empty list). Unset or empty: none, and every role is refused. A malformed entry is a
 * ConfigurationError that names the setting and the entry.
 */
export function readDiscoveryAccounts(
  env: Readonly<Record<string, string | undefined>>,
): ReadonlySet<string> {
  const entries = (env[DISCOVERY_ACCOUNTS_VARIABLE] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bad = entries.find((entry) => !ACCOUNT_ID.test(entry));
  if (bad !== undefined) {
    throw new ConfigurationError(
      `Invalid configuration: ${DISCOVERY_ACCOUNTS_VARIABLE}: got ${JSON.stringify(bad)}; expected 12-digit AWS account ids, comma-separated`,
    );
  }
  return new Set(entries);
}

/**
 * `clientsFor`, but only for roles in `accounts`: any other role is a DiscoveryRoleError, thrown
 * before its clients (and so its AssumeRole) exist.
 */
export function onlyInAccounts(
  clientsFor: DiscoveryClientsFor,
  accounts: ReadonlySet<string>,
): DiscoveryClientsFor {
  return (role) => {
    const account = ROLE_ARN.exec(role.roleArn)?.[1] ?? '';
    if (!accounts.has(account)) {
      const allowed = [...accounts].sort().join(', ') || 'none';
      throw new DiscoveryRoleError(
        `DiscoveryRoleArn: got ${JSON.stringify(role.roleArn)}, in account ${account || '(none)'}; expected a role in an account this function may discover in (${allowed}). Add the account to the pack's DiscoveryAccountIds parameter if its ALBs are yours to front`,
      );
    }
    return clientsFor(role);
  };
}
