import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DiscoveryRole } from './binding.js';
import {
  type AssumeRole,
  assumedRoleCredentials,
  type CredentialsProvider,
} from './discovery-credentials.js';

/**
 * One client of each kind per Lambda container, created on first use. They take the SDK's default
 * configuration: region, credentials, retry mode (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS) and endpoint
 * (AWS_ENDPOINT_URL, which is how the tests point them at an emulator) all come from the
 * environment. Nothing here is hard-coded.
 */

let ec2: EC2Client | undefined;
let elbv2: ElasticLoadBalancingV2Client | undefined;

export function ec2Client(): EC2Client {
  ec2 ??= new EC2Client({});
  return ec2;
}

export function elbv2Client(): ElasticLoadBalancingV2Client {
  elbv2 ??= new ElasticLoadBalancingV2Client({});
  return elbv2;
}

/** The clients that read an ALB in another account, and the credentials they sign with. */
export interface DiscoveryClients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly credentials: CredentialsProvider;
}

/** Makes (or returns the kept) clients for a role; sync.ts and the CLI take one of these. */
export type DiscoveryClientsFor = (role: DiscoveryRole) => DiscoveryClients;

/**
 * AssumeRole through an STS client made on first use, with the default configuration like the
 * others: the function's role (or the CLI user's profile) signs it, and its endpoint comes from the
 * environment (AWS_ENDPOINT_URL in the tests).
 */
export function stsAssumeRole(): AssumeRole & { destroy(): void } {
  let sts: STSClient | undefined;
  const assumeRole: AssumeRole = async (request) => {
    // Loaded on the first AssumeRole only: a bridge without a DiscoveryRoleArn never parses the
    // STS client (with the build's Splitting, it is a chunk of its own; README, "Cold start").
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    sts ??= new STSClient({});
    const { Credentials } = await sts.send(new AssumeRoleCommand({ ...request }));
    if (
      !Credentials?.AccessKeyId ||
      !Credentials.SecretAccessKey ||
      !Credentials.SessionToken ||
      !Credentials.Expiration
    ) {
      throw new Error('AssumeRole answered without credentials');
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      expiration: Credentials.Expiration,
    };
  };
  return Object.assign(assumeRole, { destroy: () => sts?.destroy() });
}

/**
 * Discovery clients per role and external id, kept for the life of the container (or the CLI
 * command): their credentials provider caches the assumed role's session and renews it before it
 * expires. Default configuration but for the credentials.
 */
export function discoveryClientsFor(
  assumeRole: AssumeRole,
  sessionName: string,
): DiscoveryClientsFor & { destroy(): void } {
  const kept = new Map<string, DiscoveryClients>();
  const clientsFor: DiscoveryClientsFor = (role) => {
    const key = `${role.roleArn}\n${role.externalId ?? ''}`;
    let clients = kept.get(key);
    if (!clients) {
      const credentials = assumedRoleCredentials(assumeRole, role, sessionName);
      clients = {
        ec2: new EC2Client({ credentials }),
        elbv2: new ElasticLoadBalancingV2Client({ credentials }),
        credentials,
      };
      kept.set(key, clients);
    }
    return clients;
  };
  // The CLI ends its clients when it is done; a Lambda container keeps them.
  const destroy = () => {
    for (const clients of kept.values()) {
      clients.ec2.destroy();
      clients.elbv2.destroy();
    }
  };
  return Object.assign(clientsFor, { destroy });
}
