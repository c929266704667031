import {
  AddTagsCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { callUnderSignal } from '../shared/deadline.js';
import { AwsCallError, isAwsError, TargetGroupMismatchError } from '../shared/errors.js';

/**
 * Who relies on a target group holding the ALB's IPs, recorded on the group itself: one tag per
 * owning custom resource, `alb-static-ip:owner:<16 hex digits>` (the end of its physical id), with
 * its stack and logical id as the value. A resource adds its tag on Create and Update and removes
 * it on Delete; the ALB's IPs are deregistered only by the last owner to go. So a renamed resource
 * (CloudFormation creates the new logical id, then deletes the old) or a second stack adopting the
 * same groups keeps its targets when the other one is deleted.
 *
 * Limits (Elastic Load Balancing, "Tag a target group"): 50 tags a group, keys of up to 127 and
 * values of up to 255 characters of letters, digits, spaces and `+ - = . _ : / @`.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-tags.html
 */
export const OWNER_TAG_PREFIX = 'alb-static-ip:owner:';

export const ownerTagKey = (owner: string): string => `${OWNER_TAG_PREFIX}${owner}`;

/** The tag value: the owner's stack and logical id, in the characters a tag value allows. */
export function ownerTagValue(stackName: string, logicalResourceId: string): string {
  return `${stackName}/${logicalResourceId}`
    .replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_')
    .slice(0, 255);
}

/** The owners a group's tags name, other than `owner`. */
export function otherOwners(tagKeys: readonly string[], owner: string): string[] {
  return tagKeys
    .filter((key) => key.startsWith(OWNER_TAG_PREFIX) && key !== ownerTagKey(owner))
    .map((key) => key.slice(OWNER_TAG_PREFIX.length))
    .sort();
}

/**
 * Records `owner` on every group, one call a group, so that a missing group is named. A missing
 * group fails the call, as it would fail the sync.
 */
export async function claimTargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArns: readonly string[],
  owner: { key: string; value: string },
  signal: AbortSignal,
): Promise<void> {
  for (const targetGroupArn of targetGroupArns) {
    const tag = new AddTagsCommand({
      ResourceArns: [targetGroupArn],
      Tags: [{ Key: owner.key, Value: owner.value }],
    });
    await callUnderSignal(
      signal,
      () => elbv2.send(tag, { abortSignal: signal }),
      (cause) => {
        if (isAwsError(cause, 'TargetGroupNotFoundException', 'TargetGroupNotFound')) {
          throw new TargetGroupMismatchError(
            `TargetGroupArns: got ${JSON.stringify(targetGroupArn)}; expected an existing target group, and none was found`,
            { cause },
          );
        }
        throw new AwsCallError(`AddTags ${owner.key} on ${targetGroupArn} failed`, { cause });
      },
    );
  }
}

/** What releasing a group found: it is gone, or these other owners still rely on it. */
export type Release = { readonly gone: true } | { readonly gone: false; readonly others: string[] };

/**
 * Removes `owner` from a group, then reads who else still owns it. Removing first means that of
 * two owners deleted at the same time, at least one sees the other gone.
 */
export async function releaseTargetGroup(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  owner: string,
  signal: AbortSignal,
): Promise<Release> {
  const release = async (): Promise<Release> => {
    await elbv2.send(
      new RemoveTagsCommand({ ResourceArns: [targetGroupArn], TagKeys: [ownerTagKey(owner)] }),
      { abortSignal: signal },
    );
    // A made-up tag description or tag would name no owner, so the empty defaults below are
    // equivalent to any other.
    // Stryker disable next-line ArrayDeclaration: as said above
    const { TagDescriptions = [] } = await elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [targetGroupArn] }),
      { abortSignal: signal },
    );
    // Stryker disable next-line ArrayDeclaration: as said above
    const keys = TagDescriptions.flatMap(({ Tags = [] }) => Tags.flatMap(({ Key }) => Key ?? []));
    return { gone: false, others: otherOwners(keys, owner) };
  };
  return await callUnderSignal(signal, release, (cause) => {
    if (isAwsError(cause, 'TargetGroupNotFoundException', 'TargetGroupNotFound')) {
      return { gone: true };
    }
    throw new AwsCallError(`Releasing ${targetGroupArn} from owner ${owner} failed`, { cause });
  });
}
