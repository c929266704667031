import type { DiscoveryRole } from './binding.js';
import { DiscoveryRoleError } from './errors.js';

/**
 * Credentials for the reads in an ALB's own account, from STS AssumeRole on the binding's
 * DiscoveryRoleArn (README, "An ALB in another account"). One set per role and external id, kept
 * for the container's life and asked for again before it expires, so a warm container calls STS
 * once per session, not once per run.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */

/** What AssumeRole answers, reduced to what signing needs. */
export interface AssumedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** The one STS call this module makes; aws-clients.ts gives it an STS client. */
export type AssumeRole = (request: {
  readonly RoleArn: string;
  readonly RoleSessionName: string;
  readonly ExternalId?: string;
  readonly DurationSeconds: number;
}) => Promise<AssumedCredentials>;

/**
 * The shortest session STS grants (900 s): the role only reads, and a short session limits what
 * leaked credentials could do; renewing it costs one call every ten minutes or so.
 */
export const SESSION_SECONDS = 900;
/**
 * Credentials are renewed this long before they expire, so that no call is signed with credentials
 * that expire in flight: the SDK's own providers keep the same 5 minutes.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** A credentials provider the SDK's clients accept as `credentials`, and which caches. */
export type CredentialsProvider = () => Promise<AssumedCredentials>;

/**
 * A provider that assumes `role` when it has no credentials, or when they are within
 * REFRESH_BEFORE_EXPIRY_MS of expiring. Calls that arrive while one AssumeRole is in flight share
 * it. A failure is not kept: the next call tries again, and fails with a DiscoveryRoleError that
 * names the role and what STS said.
 */
export function assumedRoleCredentials(
  assumeRole: AssumeRole,
  role: DiscoveryRole,
  sessionName: string,
  now: () => number = Date.now,
): CredentialsProvider {
  let current: AssumedCredentials | undefined;
  let pending: Promise<AssumedCredentials> | undefined;
  const fresh = (credentials: AssumedCredentials | undefined) =>
    credentials !== undefined &&
    credentials.expiration.getTime() - now() > REFRESH_BEFORE_EXPIRY_MS;
  const assume = async (): Promise<AssumedCredentials> => {
    try {
      return await assumeRole({
        RoleArn: role.roleArn,
        RoleSessionName: sessionName,
        ...(role.externalId ? { ExternalId: role.externalId } : {}),
        DurationSeconds: SESSION_SECONDS,
      });
    } catch (cause) {
      const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw new DiscoveryRoleError(
        `DiscoveryRoleArn: could not assume ${role.roleArn}${role.externalId ? ' with the given DiscoveryExternalId' : ''}: ${detail}; expected a role in the ALB's account whose trust policy allows this function's role (see examples/discovery-role.yaml)`,
        { cause },
      );
    }
  };
  return async () => {
    if (!fresh(current)) {
      pending ??= assume().finally(() => {
        pending = undefined;
      });
      current = await pending;
    }
    return current as AssumedCredentials;
  };
}
