import { boundList } from './bounded-text.js';

/**
 * Every error this project throws on purpose. Each names what was wrong, the value, and what was
 * expected, and keeps the underlying AWS error as `cause`.
 */

/** How many problems an input error names; the rest are counted. */
const PROBLEMS_SHOWN = 5;

/**
 * Input that does not match a function's schema. Nothing has been written when this is thrown. The
 * message names the first few problems and counts the rest, so a list of ten thousand bad ARNs
 * makes a message of a few hundred bytes.
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  /** The problems the message names. */
  readonly problems: readonly string[];
  /** How many problems there were in all. */
  readonly problemCount: number;
  constructor(problems: readonly string[]) {
    super(`Invalid input: ${boundList(problems, PROBLEMS_SHOWN)}`);
    this.problems = problems.slice(0, PROBLEMS_SHOWN);
    this.problemCount = problems.length;
  }
}

/** A load balancer that is missing, or is not of the type the function works with. */
export class LoadBalancerMismatchError extends Error {
  override readonly name = 'LoadBalancerMismatchError';
}

/** A target group that is missing or cannot hold the load balancer's IP addresses. */
export class TargetGroupMismatchError extends Error {
  override readonly name = 'TargetGroupMismatchError';
}

/**
 * A target group's load balancer has enabled none of the zones the ALB's IPs are in, so it would
 * send them no traffic.
 */
export class ZoneMismatchError extends Error {
  override readonly name = 'ZoneMismatchError';
}

/** An AWS call failed; the message says which call and for what. */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  constructor(message: string, options: ErrorOptions) {
    const cause = options.cause;
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${message}: ${detail}`, options);
  }
}

/**
 * The role named to read an ALB in another account could not be assumed. The message names the role
 * and STS's error; the run stops before it writes anything.
 */
export class DiscoveryRoleError extends Error {
  override readonly name = 'DiscoveryRoleError';
}

/** A function's configuration (its environment) is unusable. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * One or more target groups failed to sync. The others were synced before this was thrown; the
 * summary says what happened to each.
 */
export class TargetGroupSyncError extends Error {
  override readonly name = 'TargetGroupSyncError';
  constructor(
    message: string,
    readonly summary: object,
  ) {
    super(message);
  }
}

/**
 * Whether an error is the AWS error with one of these names (the SDK's `name`, or the `Code` of
 * the service's error document), looking through an AwsCallError to the error it wraps.
 */
export function isAwsError(error: unknown, ...names: readonly string[]): boolean {
  const cause = error instanceof AwsCallError ? error.cause : error;
  if (typeof cause !== 'object' || cause === null) return false;
  const { name, Code, code } = cause as { name?: unknown; Code?: unknown; code?: unknown };
  return [name, Code, code].some((value) => typeof value === 'string' && names.includes(value));
}

/** What a caught value says: an Error's message, or anything else written out. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
