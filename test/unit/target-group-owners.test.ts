import {
  AddTagsCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsCallError, TargetGroupMismatchError } from '../../functions/shared/errors.js';
import {
  claimTargetGroups,
  OWNER_TAG_PREFIX,
  otherOwners,
  ownerTagKey,
  ownerTagValue,
  releaseTargetGroup,
} from '../../functions/target-group-sync/target-group-owners.js';
import { awsError } from '../support/aws-errors.js';
import { failureOf } from '../support/failure-of.js';
import { abortError, abortedSignal, LIVE, optionsSent } from '../support/signals.js';

// Shared ownership of target groups: one tag per owning custom resource, added on Create and
// Update, removed on Delete; the last owner to go deregisters the ALB's IPs.

const TG_A = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000001';
const TG_B = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0000000000000002';
const TG_C = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/c/0000000000000003';
const OWNER = '4b3a29180f7e6d5c';
const OWNER_KEY = 'alb-static-ip:owner:4b3a29180f7e6d5c';
const CLAIM = { key: OWNER_KEY, value: 'web-static-ip/TargetGroupSync' };

const elbMock = mockClient(ElasticLoadBalancingV2Client);

/** The names of the commands the ELB mock received, in order. */
const elbCommands = () => elbMock.calls().map((call) => call.args[0].constructor.name);

beforeEach(() => {
  elbMock.reset();
});

describe('Function: ownerTagKey', () => {
  it('puts the owner after the alb-static-ip:owner: prefix', () => {
    // Act
    const key = ownerTagKey(OWNER);

    // Assess
    expect(OWNER_TAG_PREFIX).toBe('alb-static-ip:owner:');
    expect(key).toBe(OWNER_KEY);
  });
});

describe('Function: ownerTagValue', () => {
  it('joins the stack name and the logical id with a slash', () => {
    // Act
    const value = ownerTagValue('web-static-ip', 'TargetGroupSync');

    // Assess
    expect(value).toBe('web-static-ip/TargetGroupSync');
  });

  it('keeps letters, spaces and digits of any script, and _ . : / = + - @', () => {
    // Prepare: Unicode letters (\p{L}), separators (\p{Z}: space, no-break space, ideographic
    // space) and numbers (\p{N}: Arabic-Indic and superscript digits)
    const stack = 'Stäck Ωmega\u00a0東京\u3000٣²';
    const logicalId = 'a_b.c:d/e=f+g-h@i09';

    // Act
    const value = ownerTagValue(stack, logicalId);

    // Assess
    expect(value).toBe(`${stack}/${logicalId}`);
  });

  it.each([
    ['!', '_'],
    ['#', '_'],
    ['*', '_'],
    ['$', '_'],
    ['\\', '_'],
    ['\n', '_'],
    ['\t', '_'],
    [',', '_'],
    ['[', '_'],
    [']', '_'],
    ['^', '_'],
    ['(', '_'],
    // A character outside the Basic Multilingual Plane is one character, so one underscore.
    ['😀', '_'],
  ])('turns %j into %j', (character, replacement) => {
    // Act
    const value = ownerTagValue(`web${character}stack`, `Sync${character}`);

    // Assess
    expect(value).toBe(`web${replacement}stack/Sync${replacement}`);
  });

  it('replaces every disallowed character, not only the first', () => {
    // Act
    const value = ownerTagValue('a!!b', '#c#');

    // Assess
    expect(value).toBe('a__b/_c_');
  });

  it('keeps a value of exactly 255 characters whole', () => {
    // Prepare: 250 + "/" + 4 = 255
    const stack = 's'.repeat(250);

    // Act
    const value = ownerTagValue(stack, 'Sync');

    // Assess
    expect(value).toBe(`${stack}/Sync`);
    expect(value).toHaveLength(255);
  });

  it('cuts a longer value to its first 255 characters', () => {
    // Prepare: 250 + "/" + 5 = 256
    const stack = 's'.repeat(250);

    // Act
    const value = ownerTagValue(stack, 'Syncs');

    // Assess
    expect(value).toBe(`${stack}/Sync`);
  });
});

describe('Function: otherOwners', () => {
  it('names the other owners, sorted, without the prefix, ignoring its own and other tags', () => {
    // Prepare
    const keys = [
      'Name',
      'alb-static-ip:owner:ffff000000000002',
      OWNER_KEY,
      'x-alb-static-ip:owner:1111111111111111',
      'alb-static-ip:owner:0000aaaa00000001',
      'alb-static-ip:ownerless',
      'aws:cloudformation:stack-name',
    ];

    // Act
    const others = otherOwners(keys, OWNER);

    // Assess
    expect(others).toStrictEqual(['0000aaaa00000001', 'ffff000000000002']);
  });

  it('finds none when the group carries only its own tag', () => {
    // Act
    const others = otherOwners([OWNER_KEY], OWNER);

    // Assess
    expect(others).toStrictEqual([]);
  });
});

describe('Function: claimTargetGroups', () => {
  it('tags every group with the owner, one call a group, passing the signal', async () => {
    // Prepare
    elbMock.on(AddTagsCommand).resolves({});
    const signal = new AbortController().signal;

    // Act
    await claimTargetGroups(new ElasticLoadBalancingV2Client({}), [TG_A, TG_B], CLAIM, signal);

    // Assess
    const calls = elbMock.commandCalls(AddTagsCommand);
    expect(calls.map((call) => call.args[0].input)).toStrictEqual([
      { ResourceArns: [TG_A], Tags: [{ Key: OWNER_KEY, Value: 'web-static-ip/TargetGroupSync' }] },
      { ResourceArns: [TG_B], Tags: [{ Key: OWNER_KEY, Value: 'web-static-ip/TargetGroupSync' }] },
    ]);
    expect(optionsSent(calls, signal)).toStrictEqual([
      { abortSignal: 'the signal' },
      { abortSignal: 'the signal' },
    ]);
  });

  it.each(['TargetGroupNotFoundException', 'TargetGroupNotFound'])(
    'names a missing group (%s) and tags no later group',
    async (name) => {
      // Prepare
      const cause = awsError(name, 'One or more target groups not found');
      elbMock
        .on(AddTagsCommand)
        .resolves({})
        .on(AddTagsCommand, { ResourceArns: [TG_B] })
        .rejects(cause);

      // Act
      const error = await failureOf(
        claimTargetGroups(new ElasticLoadBalancingV2Client({}), [TG_A, TG_B, TG_C], CLAIM, LIVE),
      );

      // Assess
      expect(error).toBeInstanceOf(TargetGroupMismatchError);
      expect(error.message).toBe(
        `TargetGroupArns: got "${TG_B}"; expected an existing target group, and none was found`,
      );
      expect(error.cause).toBe(cause);
      expect(
        elbMock.commandCalls(AddTagsCommand).map((call) => call.args[0].input.ResourceArns),
      ).toStrictEqual([[TG_A], [TG_B]]);
    },
  );

  it('wraps any other failure with the tag key, the group and the cause', async () => {
    // Prepare
    const cause = awsError(
      'AccessDenied',
      'not authorized to perform elasticloadbalancing:AddTags',
    );
    elbMock.on(AddTagsCommand).rejects(cause);

    // Act
    const error = await failureOf(
      claimTargetGroups(new ElasticLoadBalancingV2Client({}), [TG_A, TG_B], CLAIM, LIVE),
    );

    // Assess
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      `AddTags ${OWNER_KEY} on ${TG_A} failed: AccessDenied: not authorized to perform elasticloadbalancing:AddTags`,
    );
    expect(error.cause).toBe(cause);
    expect(elbMock).toHaveReceivedCommandTimes(AddTagsCommand, 1);
  });

  it('sends nothing and throws the reason when the signal is already aborted', async () => {
    // Prepare
    elbMock.on(AddTagsCommand).resolves({});
    const signal = abortedSignal();

    // Act
    const error = await failureOf(
      claimTargetGroups(new ElasticLoadBalancingV2Client({}), [TG_A], CLAIM, signal),
    );

    // Assess
    expect(error).toBe(signal.reason);
    expect(elbMock.calls()).toHaveLength(0);
  });

  it('stops before the next group when the signal is aborted after a call succeeded', async () => {
    // Prepare
    const controller = new AbortController();
    elbMock.on(AddTagsCommand).callsFake(async () => {
      controller.abort(new Error('stopped'));
      return {};
    });

    // Act
    const error = await failureOf(
      claimTargetGroups(
        new ElasticLoadBalancingV2Client({}),
        [TG_A, TG_B],
        CLAIM,
        controller.signal,
      ),
    );

    // Assess
    expect(error).toBe(controller.signal.reason);
    expect(elbMock).toHaveReceivedCommandTimes(AddTagsCommand, 1);
  });

  it('throws the reason, not an AwsCallError, when the signal is aborted during a call', async () => {
    // Prepare
    const controller = new AbortController();
    elbMock.on(AddTagsCommand).callsFake(async () => {
      controller.abort(new Error('stopped'));
      throw abortError();
    });

    // Act
    const error = await failureOf(
      claimTargetGroups(
        new ElasticLoadBalancingV2Client({}),
        [TG_A, TG_B],
        CLAIM,
        controller.signal,
      ),
    );

    // Assess
    expect(error).toBe(controller.signal.reason);
    expect(elbMock).toHaveReceivedCommandTimes(AddTagsCommand, 1);
  });

  it('sends nothing for no groups', async () => {
    // Act
    await claimTargetGroups(new ElasticLoadBalancingV2Client({}), [], CLAIM, LIVE);

    // Assess
    expect(elbMock.calls()).toHaveLength(0);
  });
});

describe('Function: releaseTargetGroup', () => {
  it('removes its own tag first, then reads the other owners, passing the signal', async () => {
    // Prepare
    elbMock.on(RemoveTagsCommand).resolves({});
    elbMock.on(DescribeTagsCommand).resolves({
      TagDescriptions: [
        {
          ResourceArn: TG_A,
          Tags: [
            { Key: 'alb-static-ip:owner:ffff000000000002', Value: 'other/Sync' },
            { Key: 'Name', Value: 'web' },
            { Key: undefined, Value: 'a tag without a key' },
            { Key: 'alb-static-ip:owner:0000aaaa00000001', Value: 'renamed/Sync' },
          ],
        },
      ],
    });
    const signal = new AbortController().signal;

    // Act
    const release = await releaseTargetGroup(
      new ElasticLoadBalancingV2Client({}),
      TG_A,
      OWNER,
      signal,
    );

    // Assess
    expect(release).toStrictEqual({
      gone: false,
      others: ['0000aaaa00000001', 'ffff000000000002'],
    });
    expect(elbCommands()).toStrictEqual(['RemoveTagsCommand', 'DescribeTagsCommand']);
    expect(elbMock.calls().map((call) => call.args[0].input)).toStrictEqual([
      { ResourceArns: [TG_A], TagKeys: [OWNER_KEY] },
      { ResourceArns: [TG_A] },
    ]);
    expect(optionsSent(elbMock.calls(), signal)).toStrictEqual([
      { abortSignal: 'the signal' },
      { abortSignal: 'the signal' },
    ]);
  });

  it('finds no other owner when the group has only tags of its own', async () => {
    // Prepare: DescribeTags still answers with its own tag, as if the removal were not seen yet
    elbMock.on(RemoveTagsCommand).resolves({});
    elbMock.on(DescribeTagsCommand).resolves({
      TagDescriptions: [{ ResourceArn: TG_A, Tags: [{ Key: OWNER_KEY, Value: 'web/Sync' }] }],
    });

    // Act
    const release = await releaseTargetGroup(
      new ElasticLoadBalancingV2Client({}),
      TG_A,
      OWNER,
      LIVE,
    );

    // Assess
    expect(release).toStrictEqual({ gone: false, others: [] });
  });

  it.each([
    ['no TagDescriptions', {}],
    ['a description without Tags', { TagDescriptions: [{ ResourceArn: TG_A }] }],
  ])('finds no other owner in an answer with %s', async (_, answer) => {
    // Prepare
    elbMock.on(RemoveTagsCommand).resolves({});
    elbMock.on(DescribeTagsCommand).resolves(answer);

    // Act
    const release = await releaseTargetGroup(
      new ElasticLoadBalancingV2Client({}),
      TG_A,
      OWNER,
      LIVE,
    );

    // Assess
    expect(release).toStrictEqual({ gone: false, others: [] });
  });

  it.each([
    ['TargetGroupNotFoundException', 'RemoveTags'],
    ['TargetGroupNotFound', 'RemoveTags'],
    ['TargetGroupNotFoundException', 'DescribeTags'],
    ['TargetGroupNotFound', 'DescribeTags'],
  ])('reports the group gone when %s fails %s', async (name, call) => {
    // Prepare
    const failure = awsError(name, 'One or more target groups not found');
    elbMock.on(RemoveTagsCommand).resolves({});
    elbMock.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
    if (call === 'RemoveTags') elbMock.on(RemoveTagsCommand).rejects(failure);
    else elbMock.on(DescribeTagsCommand).rejects(failure);

    // Act
    const release = await releaseTargetGroup(
      new ElasticLoadBalancingV2Client({}),
      TG_A,
      OWNER,
      LIVE,
    );

    // Assess
    expect(release).toStrictEqual({ gone: true });
  });

  it('does not read the tags when removing its own fails', async () => {
    // Prepare
    elbMock.on(RemoveTagsCommand).rejects(awsError('TargetGroupNotFoundException'));
    elbMock.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });

    // Act
    await releaseTargetGroup(new ElasticLoadBalancingV2Client({}), TG_A, OWNER, LIVE);

    // Assess
    expect(elbCommands()).toStrictEqual(['RemoveTagsCommand']);
  });

  it.each(['RemoveTags', 'DescribeTags'])(
    'wraps any other failure of %s with the group, the owner and the cause',
    async (command) => {
      // Prepare
      const cause = awsError('ThrottlingException', 'Rate exceeded');
      elbMock.on(RemoveTagsCommand).resolves({});
      elbMock.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
      if (command === 'RemoveTags') elbMock.on(RemoveTagsCommand).rejects(cause);
      else elbMock.on(DescribeTagsCommand).rejects(cause);

      // Act
      const error = await failureOf(
        releaseTargetGroup(new ElasticLoadBalancingV2Client({}), TG_A, OWNER, LIVE),
      );

      // Assess
      expect(error).toBeInstanceOf(AwsCallError);
      expect(error.message).toBe(
        `Releasing ${TG_A} from owner ${OWNER} failed: ThrottlingException: Rate exceeded`,
      );
      expect(error.cause).toBe(cause);
    },
  );

  it('sends nothing and throws the reason when the signal is already aborted', async () => {
    // Prepare
    elbMock.on(RemoveTagsCommand).resolves({});
    elbMock.on(DescribeTagsCommand).resolves({ TagDescriptions: [] });
    const signal = abortedSignal();

    // Act
    const error = await failureOf(
      releaseTargetGroup(new ElasticLoadBalancingV2Client({}), TG_A, OWNER, signal),
    );

    // Assess
    expect(error).toBe(signal.reason);
    expect(elbMock.calls()).toHaveLength(0);
  });

  it('throws the reason, not an AwsCallError or "gone", when the signal is aborted during a call', async () => {
    // Prepare: the SDK's abort error, even one that looked like "not found", is not trusted
    const controller = new AbortController();
    elbMock.on(RemoveTagsCommand).callsFake(async () => {
      controller.abort(new Error('stopped'));
      throw Object.assign(abortError(), { Code: 'TargetGroupNotFound' });
    });

    // Act
    const error = await failureOf(
      releaseTargetGroup(new ElasticLoadBalancingV2Client({}), TG_A, OWNER, controller.signal),
    );

    // Assess
    expect(error).toBe(controller.signal.reason);
  });
});
