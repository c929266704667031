import { createHash } from 'node:crypto';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import {
  CREATE_FAILED_MARKER,
  type CustomResourceDefinition,
  type CustomResourceRequest,
  failedPhysicalResourceIdFor,
  isMintedFor,
  looksLikeCustomResourceRequest,
  ownerOf,
  physicalResourceIdFor,
  readCustomResourceRequest,
  resourceProperties,
  runCustomResource,
  stackNameOf,
  withInitGuard,
} from '../../functions/shared/custom-resource.js';
import {
  putResponse,
  type ResponseSender,
  redactUrl,
  type SendBudget,
} from '../../functions/shared/custom-resource-response.js';
import { InvalidInputError } from '../../functions/shared/errors.js';
import { parseInput } from '../../functions/shared/input.js';
import { loadEvent } from '../support/events.js';
import { PRESIGNED_QUERY, receiverForTests } from '../support/response-receiver.js';

// The runtime that answers CloudFormation exactly once for every custom-resource request. How the
// answer is fitted and PUT is in custom-resource-response.test.ts.

const Props = z.strictObject({ Name: z.string(), Size: z.optional(z.coerce.number()) });
type Props = z.output<typeof Props>;

const receiver = receiverForTests();
afterEach(() => {
  vi.useRealTimers();
});

type SampleName =
  | 'target-group-sync-create'
  | 'target-group-sync-update'
  | 'target-group-sync-delete';

const withService = (props: Record<string, unknown>) => ({
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
  ServiceTimeout: '300',
  ...props,
});

/** A sample request answered to the receiver; Update and Delete carry the id minted for `Name`. */
function event(
  name: SampleName,
  properties: Record<string, unknown> = { Name: 'a' },
  oldProperties: Record<string, unknown> = { Name: 'a' },
): CloudFormationCustomResourceEvent {
  const sample = loadEvent(name, { ResponseURL: receiver.url });
  const identityBefore = name === 'target-group-sync-delete' ? properties : oldProperties;
  return {
    ...sample,
    ResourceProperties: withService(properties),
    ...('OldResourceProperties' in sample
      ? { OldResourceProperties: withService(oldProperties) }
      : {}),
    ...('PhysicalResourceId' in sample
      ? { PhysicalResourceId: mintedId(String(identityBefore.Name)) }
      : {}),
  } as unknown as CloudFormationCustomResourceEvent;
}

const SAMPLE_STACK = String(loadEvent('target-group-sync-create').StackId);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The id the runtime should mint, worked out here from its definition rather than by calling it:
 * KIND/LOGICAL-ID/, then 8 hex digits of sha256(stack, logical id) and 8 of sha256(stack, logical
 * id, identity). By default for kind `thing` and the samples' stack and logical id.
 */
function mintedId(
  identity: string,
  { stackId = SAMPLE_STACK, logicalId = 'TargetGroupSync', kind = 'thing' } = {},
): string {
  const scope = sha256(`${stackId}\n${logicalId}`).slice(0, 8);
  return `${kind}/${logicalId}/${scope}${sha256(`${stackId}\n${logicalId}\n${identity}`).slice(0, 8)}`;
}

const idOf = (request: CloudFormationCustomResourceEvent): string =>
  (request as { PhysicalResourceId: string }).PhysicalResourceId;

function context(remainingMs = 60_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    getRemainingTimeInMillis: () => deadline - Date.now(),
    logStreamName: '2026/11/21/[$LATEST]abcdef',
  } as Context;
}

function definition(overrides: Partial<CustomResourceDefinition<Props>> = {}) {
  return {
    kind: 'thing',
    parse: (properties: unknown) => parseInput(Props, properties, ['Name', 'Size']),
    identity: (props: Props) => props.Name,
    create: vi.fn(async (props: Props, _request: CustomResourceRequest) => ({
      Seen: props.Name,
      Size: props.Size,
    })),
    update: vi.fn(
      async (_props: Props, _old: Props | undefined, _request: CustomResourceRequest) => ({
        Updated: true,
      }),
    ),
    delete: vi.fn(async (_props: Props, _request: CustomResourceRequest) => undefined),
    ...overrides,
  } satisfies CustomResourceDefinition<Props>;
}

const logger = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });
const send = putResponse({ baseDelayMs: 1 });
const throwing = (message: string) =>
  vi.fn(async (): Promise<never> => {
    throw new Error(message);
  });

/** A sender that records each body, the budget it was given and when it was called. */
function recorder() {
  const sent: { body: string; budget: SendBudget }[] = [];
  const sender: ResponseSender = async (_url, body, budget) => {
    sent.push({ body, budget });
  };
  return { sent, sender };
}

describe('Function: runCustomResource', () => {
  it('answers a Create once, echoing the request and minting an id from the identity', async () => {
    // Prepare
    const create = event('target-group-sync-create', { Name: 'web', Size: '3' });

    // Act
    await runCustomResource(create, context(), definition(), { logger: logger(), send });

    // Assess
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.json).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: mintedId('web'),
      StackId: create.StackId,
      RequestId: create.RequestId,
      LogicalResourceId: create.LogicalResourceId,
      Data: { Seen: 'web', Size: 3 },
    });
  });

  it('sends no Data when the operation returns none', async () => {
    const quiet = definition({ create: vi.fn(async () => undefined) });

    await runCustomResource(event('target-group-sync-create'), context(), quiet, {
      logger: logger(),
      send,
    });

    expect(receiver.received[0]?.json).not.toHaveProperty('Data');
    expect(receiver.received[0]?.json.Status).toBe('SUCCESS');
  });

  it('logs the request and the answer it sent, without the presigned query', async () => {
    // Prepare
    const log = logger();
    const update = event('target-group-sync-update');

    // Act
    await runCustomResource(update, context(), definition(), { logger: log, send });

    // Assess
    expect(log.info.mock.calls).toEqual([
      [
        'Custom resource request',
        {
          requestType: 'Update',
          resourceType: 'AWS::CloudFormation::CustomResource',
          logicalResourceId: 'TargetGroupSync',
          physicalResourceId: idOf(update),
          stackId: update.StackId,
          responseUrl: redactUrl(receiver.url),
        },
      ],
      [
        'Custom resource response sent',
        {
          status: 'SUCCESS',
          physicalResourceId: idOf(update),
          bytes: Buffer.byteLength(receiver.received[0]?.body ?? ''),
        },
      ],
    ]);
    expect(log.error).not.toHaveBeenCalled();
  });

  it('logs a Create as having no physical id yet', async () => {
    const log = logger();

    await runCustomResource(event('target-group-sync-create'), context(), definition(), {
      logger: log,
      send,
    });

    expect(log.info).toHaveBeenCalledWith(
      'Custom resource request',
      expect.objectContaining({ requestType: 'Create', physicalResourceId: undefined }),
    );
  });

  it('bounds what it logs of the request: a 100 KB field becomes 256 characters', async () => {
    // Prepare
    const log = logger();
    const huge = {
      ...event('target-group-sync-create'),
      ResourceType: `Custom::${'x'.repeat(100_000)}`,
    };

    // Act
    await runCustomResource(huge, context(), definition(), { logger: log, send });

    // Assess
    const [, fields] = log.info.mock.calls[0] ?? [];
    expect((fields as { resourceType: string }).resourceType).toHaveLength(256);
    expect(JSON.stringify(log.info.mock.calls).length).toBeLessThan(2_000);
  });

  it('answers through the default sender, the PUT to the ResponseURL, when given none', async () => {
    await runCustomResource(event('target-group-sync-create'), context(), definition(), {
      logger: logger(),
    });

    expect(receiver.received.map((answer) => answer.json.Status)).toEqual(['SUCCESS']);
  });

  it('keeps the id on an Update of the same resource and mints a new one on replacement', async () => {
    const same = event('target-group-sync-update', { Name: 'a', Size: 2 }, { Name: 'a' });
    const replaced = event('target-group-sync-update', { Name: 'b' }, { Name: 'a' });

    await runCustomResource(same, context(), definition(), { logger: logger(), send });
    await runCustomResource(replaced, context(), definition(), { logger: logger(), send });

    const [kept, minted] = receiver.received.map((answer) => answer.json.PhysicalResourceId);
    expect(kept).toBe(idOf(same));
    expect(minted).toBe(mintedId('b'));
    expect(minted).not.toBe(kept);
  });

  it('gives update the parsed old properties, the id, the owner and a live signal', async () => {
    // Prepare
    const ops = definition();
    const update = event(
      'target-group-sync-update',
      { Name: 'a', Size: 2 },
      { Name: 'a', Size: 1 },
    );

    // Act
    await runCustomResource(update, context(), ops, { logger: logger(), send });

    // Assess
    expect(ops.update).toHaveBeenCalledWith(
      { Name: 'a', Size: 2 },
      { Name: 'a', Size: 1 },
      {
        requestType: 'Update',
        physicalResourceId: idOf(update),
        replacing: false,
        owner: idOf(update).slice(-16),
        stackId: update.StackId,
        logicalResourceId: 'TargetGroupSync',
        signal: expect.any(AbortSignal),
      },
    );
    expect(vi.mocked(ops.update).mock.calls[0]?.[2].signal.aborted).toBe(false);
  });

  it('replaces the resource when the old properties do not parse, and updates without them', async () => {
    // Prepare
    const ops = definition();
    const update = event('target-group-sync-update', { Name: 'a' }, { Unknown: true });

    // Act
    await runCustomResource(update, context(), ops, { logger: logger(), send });

    // Assess
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: mintedId('a'),
    });
    expect(ops.update).toHaveBeenCalledWith(
      { Name: 'a' },
      undefined,
      expect.objectContaining({ physicalResourceId: mintedId('a') }),
    );
  });

  it.each([
    ['the failed-Create marker', CREATE_FAILED_MARKER],
    ['an id of another kind', 'other/TargetGroupSync/0123456789abcdef'],
  ])('mints an id on an Update of a resource whose id is %s', async (_, foreignId) => {
    // Prepare: the same identity as before, but an id this runtime would not have minted
    const update = { ...event('target-group-sync-update'), PhysicalResourceId: foreignId };
    const ops = definition();

    // Act
    await runCustomResource(update, context(), ops, { logger: logger(), send });

    // Assess: a new id, so that CloudFormation's Delete of the old one acts on nothing; the
    // operation is told it replaces the resource
    expect(receiver.received[0]?.json.PhysicalResourceId).toBe(mintedId('a'));
    expect(ops.update).toHaveBeenCalledWith(
      expect.anything(),
      expect.anything(),
      expect.objectContaining({ physicalResourceId: mintedId('a'), replacing: true }),
    );
  });

  it('deletes a resource whose id it minted, with its owner, never changing the id', async () => {
    // Prepare
    const remove = event('target-group-sync-delete');
    const ops = definition();

    // Act
    await runCustomResource(remove, context(), ops, { logger: logger(), send });

    // Assess
    expect(ops.delete).toHaveBeenCalledWith(
      { Name: 'a' },
      {
        requestType: 'Delete',
        physicalResourceId: idOf(remove),
        replacing: false,
        owner: ownerOf(idOf(remove)),
        stackId: remove.StackId,
        logicalResourceId: 'TargetGroupSync',
        signal: expect.any(AbortSignal),
      },
    );
    expect(receiver.received[0]?.json).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: idOf(remove),
      StackId: remove.StackId,
      RequestId: remove.RequestId,
      LogicalResourceId: remove.LogicalResourceId,
    });
  });

  const ours = mintedId('a');
  it.each([
    ['garbage', 'not-an-id-at-all'],
    ['the id of another logical id', `thing/OtherSync/${ours.slice(-16)}`],
    [
      'the id of the same logical id in another stack',
      mintedId('a', { stackId: SAMPLE_STACK.replace('web-static-ip', 'other') }),
    ],
    ['an id of another kind', `other/TargetGroupSync/${ours.slice(-16)}`],
    ['an id far too long', `${ours}${'0'.repeat(1_100)}`],
    ['an id with upper-case digits', `thing/TargetGroupSync/${ours.slice(-16).toUpperCase()}`],
  ])('deletes %s successfully without touching anything, and says why', async (_, foreignId) => {
    // Prepare
    const ops = definition();
    const log = logger();
    const remove = { ...event('target-group-sync-delete'), PhysicalResourceId: foreignId };

    // Act
    await runCustomResource(remove, context(), ops, { logger: log, send });

    // Assess
    expect(ops.delete).not.toHaveBeenCalled();
    const reason = `The physical id ${foreignId.length > 256 ? `${foreignId.slice(0, 253)}...` : foreignId} is not one this function made for logical id TargetGroupSync of this stack, so nothing was deleted`;
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: foreignId,
      Reason: reason,
    });
    expect(log.info).toHaveBeenCalledWith('Nothing to do for this request', { reason });
  });

  it('strips ServiceToken and ServiceTimeout before validating, and reads stringified numbers', async () => {
    const ops = definition();

    await runCustomResource(
      event('target-group-sync-create', { Name: 'n', Size: '7' }),
      context(),
      ops,
      { logger: logger(), send },
    );

    expect(ops.create).toHaveBeenCalledWith({ Name: 'n', Size: 7 }, expect.anything());
  });

  it('answers FAILED, naming the property and value, when the properties are bad', async () => {
    // Prepare
    const ops = definition();
    const update = event('target-group-sync-update', { Name: 5 });

    // Act
    await runCustomResource(event('target-group-sync-create', { Name: 5 }), context(), ops, {
      logger: logger(),
      send,
    });
    await runCustomResource(update, context(), ops, { logger: logger(), send });

    // Assess: the Create made nothing, so it answers with the marker; the Update keeps its id
    expect(receiver.received.map((answer) => answer.json)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringMatching(/^Invalid input: Name: got 5; .* \(log stream: /),
        PhysicalResourceId: 'alb-static-ip:create-failed',
      }),
      expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: idOf(update) }),
    ]);
    expect(ops.create).not.toHaveBeenCalled();
    expect(ops.update).not.toHaveBeenCalled();
  });

  it('answers a Create whose work failed with its own id, so the rollback Delete cleans up', async () => {
    // Prepare
    const log = logger();
    const failing = definition({
      create: throwing('RegisterTargets failed: AccessDenied'),
      update: throwing('boom'),
    });
    const create = event('target-group-sync-create', { Name: 'web' });
    const update = event('target-group-sync-update');

    // Act
    await runCustomResource(create, context(), failing, { logger: log, send });
    await runCustomResource(update, context(), failing, { logger: log, send });
    const rollback = { ...event('target-group-sync-delete', { Name: 'web' }) };
    await runCustomResource(rollback, context(), failing, { logger: log, send });

    // Assess
    expect(receiver.received.map((answer) => answer.json)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'RegisterTargets failed: AccessDenied (log stream: 2026/11/21/[$LATEST]abcdef)',
        PhysicalResourceId: mintedId('web'),
      }),
      expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: idOf(update) }),
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: mintedId('web') }),
    ]);
    expect(failing.delete).toHaveBeenCalledWith(
      { Name: 'web' },
      expect.objectContaining({ physicalResourceId: mintedId('web') }),
    );
    expect(log.error.mock.calls).toEqual([
      [
        'Custom resource request failed',
        {
          requestType: 'Create',
          logicalResourceId: 'TargetGroupSync',
          reason: 'RegisterTargets failed: AccessDenied (log stream: 2026/11/21/[$LATEST]abcdef)',
        },
      ],
      [
        'Custom resource request failed',
        {
          requestType: 'Update',
          logicalResourceId: 'TargetGroupSync',
          reason: 'boom (log stream: 2026/11/21/[$LATEST]abcdef)',
        },
      ],
    ]);
  });

  it('answers a failed Update that would replace the resource with the id it was sent', async () => {
    // Prepare: the identity changes from a to b, so the work runs under the id minted for b
    const failing = definition({ update: throwing('RegisterTargets failed: AccessDenied') });
    const replacing = event('target-group-sync-update', { Name: 'b' }, { Name: 'a' });

    // Act
    await runCustomResource(replacing, context(), failing, { logger: logger(), send });

    // Assess: CloudFormation keeps the resource it knows, under the id it knows it by
    expect(receiver.received.map((answer) => answer.json)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'RegisterTargets failed: AccessDenied (log stream: 2026/11/21/[$LATEST]abcdef)',
        PhysicalResourceId: mintedId('a'),
      }),
    ]);
    expect(failing.update).toHaveBeenCalledWith(
      { Name: 'b' },
      { Name: 'a' },
      expect.objectContaining({ physicalResourceId: mintedId('b') }),
    );
  });

  it('says what was thrown when the work throws something that is not an Error', async () => {
    const odd = definition({ create: vi.fn(() => Promise.reject('a bare string')) });

    await runCustomResource(event('target-group-sync-create'), context(), odd, {
      logger: logger(),
      send,
    });

    expect(receiver.received[0]?.json.Reason).toBe(
      'a bare string (log stream: 2026/11/21/[$LATEST]abcdef)',
    );
  });

  describe('the deadline', () => {
    /** A definition whose Create waits until the test lets it go, answered through a recorder. */
    function hangingRun(remainingMs: number, deadlineMarginMs?: number) {
      const { sent, sender } = recorder();
      let release: () => void = () => undefined;
      const seen: { signal?: AbortSignal; abortedWhenSent?: boolean } = {};
      const hanging = definition({
        create: vi.fn((_props: Props, request: CustomResourceRequest) => {
          seen.signal = request.signal;
          return new Promise<undefined>((resolve) => {
            release = () => resolve(undefined);
          });
        }),
      });
      const watching: ResponseSender = async (url, body, budget) => {
        seen.abortedWhenSent = seen.signal?.aborted;
        await sender(url, body, budget);
      };
      const done = runCustomResource(
        event('target-group-sync-create'),
        context(remainingMs),
        hanging,
        {
          logger: logger(),
          send: watching,
          ...(deadlineMarginMs === undefined ? {} : { deadlineMarginMs }),
        },
      );
      return { sent, done, seen, release: () => release() };
    }

    it.each([
      ['60 s left: 10 s before the end', 60_000, undefined, 50_000],
      ['8 s left: half of what is left, not 10 s', 8_000, undefined, 4_000],
      ['a margin of 1 s given', 60_000, 1_000, 59_000],
      ['a margin larger than half of what is left', 1_000, 5_000, 500],
    ])('answers FAILED at the margin before the deadline, %s', async (_, remaining, margin, at) => {
      // Prepare
      vi.useFakeTimers();
      const { sent, done } = hangingRun(remaining, margin);

      // Act, Assess: nothing a millisecond before, the FAILED answer at that moment
      await vi.advanceTimersByTimeAsync(at - 1);
      expect(sent).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await done;
      expect(sent).toHaveLength(1);
      expect(JSON.parse(sent[0]?.body ?? '{}')).toMatchObject({
        Status: 'FAILED',
        Reason:
          "The Create did not finish before the Lambda function's timeout (log stream: 2026/11/21/[$LATEST]abcdef)",
        PhysicalResourceId: mintedId('a'),
      });
    });

    it('answers an Update that would replace the resource, at the deadline, with the id it was sent', async () => {
      // Prepare: an Update from a to b that never finishes
      vi.useFakeTimers();
      const { sent, sender } = recorder();
      const hanging = definition({ update: vi.fn(() => new Promise<never>(() => undefined)) });
      const replacing = event('target-group-sync-update', { Name: 'b' }, { Name: 'a' });

      // Act
      const done = runCustomResource(replacing, context(60_000), hanging, {
        logger: logger(),
        send: sender,
      });
      await vi.advanceTimersByTimeAsync(50_000);
      await done;

      // Assess
      expect(sent.map(({ body }) => JSON.parse(body))).toEqual([
        expect.objectContaining({
          Status: 'FAILED',
          Reason:
            "The Update did not finish before the Lambda function's timeout (log stream: 2026/11/21/[$LATEST]abcdef)",
          PhysicalResourceId: mintedId('a'),
        }),
      ]);
    });

    it('aborts the work before the deadline answer goes out, so it writes nothing more', async () => {
      // Prepare
      vi.useFakeTimers();
      const { done, seen, release } = hangingRun(60_000);

      // Act
      await vi.advanceTimersByTimeAsync(50_000);
      await done;
      release();

      // Assess
      expect(seen.abortedWhenSent).toBe(true);
      expect(seen.signal?.reason).toEqual(
        new Error("The Create did not finish before the Lambda function's timeout"),
      );
      expect(() => seen.signal?.throwIfAborted()).toThrow('did not finish before');
    });

    it.each([
      ['60 s left: until 1 s before the end', 60_000, 59_000],
      ['5 s left: until a tenth of what is left before the end', 5_000, 4_500],
    ])(
      'gives the sender the time up to shortly before the deadline, %s',
      async (_, remaining, left) => {
        // Prepare
        vi.useFakeTimers();
        const { sent, sender } = recorder();

        // Act
        await runCustomResource(
          event('target-group-sync-create'),
          context(remaining),
          definition(),
          {
            logger: logger(),
            send: sender,
          },
        );

        // Assess
        expect(sent[0]?.budget.timeLeftMs()).toBe(left);
        vi.advanceTimersByTime(1_000);
        expect(sent[0]?.budget.timeLeftMs()).toBe(left - 1_000);
      },
    );

    it('stops its deadline once answered: a finished operation is never aborted afterwards', async () => {
      // Prepare
      vi.useFakeTimers();
      let seen: AbortSignal | undefined;
      const quick = definition({
        create: vi.fn(async (_props: Props, request: CustomResourceRequest) => {
          seen = request.signal;
          return undefined;
        }),
      });

      // Act: answered at once; then the time of the deadline answer passes
      await runCustomResource(event('target-group-sync-create'), context(60_000), quick, {
        logger: logger(),
        send: recorder().sender,
      });
      await vi.advanceTimersByTimeAsync(60_000);

      // Assess
      expect(seen?.aborted).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('lets work that takes real time finish when there is time for it', async () => {
      // Prepare: 150 ms of real work, with 8 s left (so the deadline answer is due after 4 s)
      const slow = definition({
        create: vi.fn(
          () =>
            new Promise<{ Done: boolean }>((resolve) =>
              setTimeout(() => resolve({ Done: true }), 150),
            ),
        ),
      });

      // Act
      await runCustomResource(event('target-group-sync-create'), context(8_000), slow, {
        logger: logger(),
        send,
      });

      // Assess
      expect(receiver.received.map((answer) => answer.json)).toEqual([
        expect.objectContaining({ Status: 'SUCCESS', Data: { Done: true } }),
      ]);
    });

    it('answers once, with FAILED, when the work finishes after the deadline answer', async () => {
      // Prepare: the work ends only when the test says so
      let finish: () => void = () => undefined;
      const late = definition({
        create: vi.fn(
          () =>
            new Promise<{ Late: boolean }>((resolve) => {
              finish = () => resolve({ Late: true });
            }),
        ),
      });

      // Act: 400 ms left, so the deadline answer is due after 200 ms
      await runCustomResource(event('target-group-sync-create'), context(400), late, {
        logger: logger(),
        send,
      });
      finish();
      await new Promise((resolve) => setTimeout(resolve, 50));

      // Assess
      expect(receiver.attempts).toHaveLength(1);
      expect(receiver.received[0]?.json).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringContaining("did not finish before the Lambda function's timeout"),
      });
    });
  });

  it('truncates a huge Reason from the front, keeping the error at its end', async () => {
    const noisy = definition({ create: throwing(`${'x'.repeat(10_000)} THE REAL ERROR`) });

    await runCustomResource(event('target-group-sync-create'), context(), noisy, {
      logger: logger(),
      send,
    });

    const [answer] = receiver.received;
    expect(Buffer.byteLength(answer?.body ?? '')).toBe(4096);
    expect(answer?.json.Reason).toMatch(/^\.\.\.x+ THE REAL ERROR \(log stream: .*\)$/);
  });

  it("answers FAILED instead of sending Data that would not fit, with the definition's advice", async () => {
    const bulky = {
      ...definition({ create: vi.fn(async () => ({ Big: 'y'.repeat(5000) })) }),
      dataTooLargeAdvice: 'Set SecurityGroupId instead.',
    };

    await runCustomResource(event('target-group-sync-create'), context(), bulky, {
      logger: logger(),
      send,
    });

    const [answer] = receiver.received;
    expect(answer?.json).not.toHaveProperty('Data');
    expect(answer?.json).toMatchObject({
      Status: 'FAILED',
      Reason:
        "The resource's attributes (Data) are 5010 bytes; with the rest of the answer they exceed the 4096-byte limit of a custom resource response. Set SecurityGroupId instead.",
    });
  });

  it('deletes the failed-Create marker without touching anything, valid properties or not', async () => {
    // Prepare
    const ops = definition();
    const removeValid = {
      ...event('target-group-sync-delete', { Name: 'web' }),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    };
    const removeInvalid = {
      ...event('target-group-sync-delete', { Name: 7 }),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    };

    // Act
    for (const remove of [removeValid, removeInvalid]) {
      await runCustomResource(remove, context(), ops, { logger: logger(), send });
    }

    // Assess
    expect(ops.delete).not.toHaveBeenCalled();
    expect(receiver.received.map((answer) => answer.json)).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: CREATE_FAILED_MARKER,
        Reason: 'The Create had failed, so there was nothing to delete',
      }),
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: CREATE_FAILED_MARKER,
        Reason: 'The Create had failed, so there was nothing to delete',
      }),
    ]);
  });

  it('deletes nothing, successfully, when the properties do not parse', async () => {
    const ops = definition();
    const remove = { ...event('target-group-sync-delete'), ResourceProperties: { Nope: 1 } };

    await runCustomResource(remove, context(), ops, { logger: logger(), send });

    expect(ops.delete).not.toHaveBeenCalled();
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'SUCCESS',
      Reason: 'The properties are not valid, so nothing was made to delete',
    });
  });

  it('never logs the presigned query string of the ResponseURL', async () => {
    const log = logger();

    await runCustomResource(
      event('target-group-sync-create'),
      context(),
      definition({ create: throwing('boom') }),
      { logger: log, send },
    );

    const logged = JSON.stringify([log.info.mock.calls, log.warn.mock.calls, log.error.mock.calls]);
    expect(logged).toContain('/cloudformation-response/stack/resource');
    expect(logged).not.toContain('s3cr3t-signature');
    expect(logged).not.toContain('X-Amz');
  });

  it('delivers after retrying a URL that answers with a server error', async () => {
    receiver.failNext(2, 503);
    const log = logger();

    await runCustomResource(event('target-group-sync-create'), context(), definition(), {
      logger: log,
      send,
    });

    expect(receiver.attempts.map(({ answer }) => answer)).toEqual([503, 503, 200]);
    expect(receiver.received[0]?.json.Status).toBe('SUCCESS');
    expect(log.error).not.toHaveBeenCalled();
  });

  it('gives up on a PUT the URL refuses, logs it without the query, and does not throw', async () => {
    // Prepare
    receiver.failNext(10, 403);
    const log = logger();

    // Act
    const response = await runCustomResource(
      event('target-group-sync-create'),
      context(),
      definition(),
      { logger: log, send },
    );

    // Assess
    expect(response.Status).toBe('SUCCESS');
    expect(receiver.received).toHaveLength(0);
    expect(log.error).toHaveBeenCalledWith('Custom resource response could not be sent', {
      error: expect.objectContaining({
        message: `Could not send the response to ${redactUrl(receiver.url)}: the response URL answered HTTP 403`,
      }),
    });
    expect(log.info).not.toHaveBeenCalledWith('Custom resource response sent', expect.anything());
    expect(JSON.stringify(log.error.mock.calls)).not.toContain('s3cr3t-signature');
  });

  it('PUTs to the URL as given, presigned query and all', async () => {
    await runCustomResource(event('target-group-sync-create'), context(), definition(), {
      logger: logger(),
      send,
    });

    expect(receiver.received[0]?.path).toBe(
      `/cloudformation-response/stack/resource?${PRESIGNED_QUERY}`,
    );
  });
});

describe('Function: runCustomResource, given a malformed request', () => {
  const malformed = (change: Record<string, unknown>, drop: string[] = []) => {
    const request: Record<string, unknown> = { ...event('target-group-sync-update'), ...change };
    for (const field of drop) delete request[field];
    return request;
  };

  it.each<[string, Record<string, unknown>, string[], string]>([
    [
      'an unknown RequestType',
      { RequestType: 'Patch' },
      [],
      'RequestType: got "Patch"; expected Create, Update or Delete',
    ],
    ['no StackId', {}, ['StackId'], 'StackId: got nothing; expected a non-empty string'],
    ['an empty RequestId', { RequestId: '' }, [], 'RequestId: got ""; expected a non-empty string'],
    [
      'an Update without its PhysicalResourceId',
      {},
      ['PhysicalResourceId'],
      'PhysicalResourceId: got nothing; expected a non-empty string on an Update or a Delete',
    ],
  ])(
    'answers FAILED, naming the problem, to a request with %s',
    async (_, change, drop, problem) => {
      // Prepare
      const request = malformed(change, drop);
      const ops = definition();
      const log = logger();

      // Act
      await runCustomResource(request, context(), ops, { logger: log, send });

      // Assess
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.json).toMatchObject({
        Status: 'FAILED',
        Reason: `Invalid request: ${problem} (log stream: 2026/11/21/[$LATEST]abcdef)`,
      });
      expect(ops.update).not.toHaveBeenCalled();
      expect(log.error).toHaveBeenCalledWith('Malformed custom resource request', {
        problems: problem,
        responseUrl: redactUrl(receiver.url),
      });
    },
  );

  it('echoes what it can of a malformed request: the ids it has, the marker for the rest', async () => {
    await runCustomResource(
      malformed({ RequestType: 'Patch' }, ['PhysicalResourceId', 'LogicalResourceId']),
      context(),
      definition(),
      { logger: logger(), send },
    );

    expect(receiver.received[0]?.json).toMatchObject({
      PhysicalResourceId: CREATE_FAILED_MARKER,
      LogicalResourceId: '',
      RequestId: event('target-group-sync-update').RequestId,
    });
  });

  it('throws, naming the problem, when there is no ResponseURL to answer to', async () => {
    // Prepare
    const log = logger();

    // Act
    const error = await runCustomResource(
      malformed({ RequestType: 'Patch' }, ['ResponseURL']),
      context(),
      definition(),
      { logger: log, send },
    ).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(
      'Invalid input: a custom resource request without a usable ResponseURL cannot be answered; RequestType: got "Patch"; expected Create, Update or Delete; ResponseURL: got nothing; expected the presigned URL to send the answer to',
    );
    expect(receiver.attempts).toHaveLength(0);
    expect(log.error).toHaveBeenCalledWith(
      'Malformed custom resource request with nothing to answer to',
      { error },
    );
  });

  it('never repeats a ResponseURL that is not a URL, in its error or its logs', async () => {
    // Prepare: Node's own URL error would carry the whole input, signature included
    const log = logger();
    const request = malformed({ ResponseURL: 'https//bucket/response?X-Amz-Signature=s3cr3t' });

    // Act
    const error = await runCustomResource(request, context(), definition(), {
      logger: log,
      send,
    }).then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );

    // Assess
    expect(error?.message).toContain(
      'ResponseURL: got a value that is not an http or https URL; expected the presigned URL',
    );
    const everything = JSON.stringify({
      error,
      own: Object.entries(error ?? {}),
      logs: log.error.mock.calls,
    });
    expect(everything).not.toContain('s3cr3t');
  });

  it('bounds the values it quotes: a 100 KB RequestType shows as 100 characters', async () => {
    await runCustomResource(
      malformed({ RequestType: 'P'.repeat(100_000) }),
      context(),
      definition(),
      {
        logger: logger(),
        send,
      },
    );

    expect(receiver.received[0]?.json.Reason).toBe(
      `Invalid request: RequestType: got "${'P'.repeat(96)}...; expected Create, Update or Delete (log stream: 2026/11/21/[$LATEST]abcdef)`,
    );
  });
});

describe('Function: physicalResourceIdFor', () => {
  const create = () =>
    loadEvent('target-group-sync-create') as unknown as CloudFormationCustomResourceEvent;

  it('mints the id the sample events carry: a known answer', () => {
    const alb =
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';

    expect(physicalResourceIdFor(create(), 'target-group-sync', alb)).toBe(
      'target-group-sync/TargetGroupSync/84db85edc100aca1',
    );
  });

  it('mints KIND/LOGICAL-ID/, 8 hex digits for the stack and logical id, 8 for the identity', () => {
    const otherStack = SAMPLE_STACK.replace('web-static-ip', 'other');

    expect(physicalResourceIdFor(create(), 'thing', 'x')).toBe(mintedId('x'));
    expect(physicalResourceIdFor({ ...create(), LogicalResourceId: 'Other' }, 'kind', 'x')).toBe(
      mintedId('x', { logicalId: 'Other', kind: 'kind' }),
    );
    expect(physicalResourceIdFor({ ...create(), StackId: otherStack }, 'thing', 'x')).toBe(
      mintedId('x', { stackId: otherStack }),
    );
  });

  it('gives an Update of the same identity the id it had, and a new one to another identity', () => {
    const update = event('target-group-sync-update');

    expect(physicalResourceIdFor(update, 'thing', 'a')).toBe(idOf(update));
    expect(physicalResourceIdFor(update, 'thing', 'y')).toBe(mintedId('y'));
  });
});

describe('Function: failedPhysicalResourceIdFor', () => {
  it('gives a failed Create the id it minted, or the marker when it minted none', () => {
    const create = event('target-group-sync-create');

    expect(failedPhysicalResourceIdFor(create, mintedId('b'))).toBe(mintedId('b'));
    expect(failedPhysicalResourceIdFor(create, undefined)).toBe(CREATE_FAILED_MARKER);
  });

  it('gives a failed Update and a failed Delete the id they were sent, whatever was minted', () => {
    const update = event('target-group-sync-update');
    const remove = event('target-group-sync-delete');

    expect(failedPhysicalResourceIdFor(update, mintedId('b'))).toBe(idOf(update));
    expect(failedPhysicalResourceIdFor(update, undefined)).toBe(idOf(update));
    expect(failedPhysicalResourceIdFor(remove, mintedId('b'))).toBe(idOf(remove));
  });
});

describe('Function: isMintedFor, ownerOf and stackNameOf', () => {
  const request = loadEvent(
    'target-group-sync-delete',
  ) as unknown as CloudFormationCustomResourceEvent;

  it('knows the ids it minted for the stack and logical id, of the kind', () => {
    expect(isMintedFor(request, 'thing', mintedId('anything'))).toBe(true);
    expect(isMintedFor(request, 'other', mintedId('anything'))).toBe(false);
    expect(isMintedFor({ ...request, LogicalResourceId: 'Other' }, 'thing', mintedId('a'))).toBe(
      false,
    );
    expect(isMintedFor(request, 'thing', `${mintedId('a')}0`)).toBe(false);
    expect(isMintedFor(request, 'thing', mintedId('a').slice(0, -1))).toBe(false);
    expect(isMintedFor(request, 'thing', CREATE_FAILED_MARKER)).toBe(false);
  });

  it('names the owner by the last 16 hex digits of the id', () => {
    expect(ownerOf('thing/Logical/0123456789abcdef')).toBe('0123456789abcdef');
  });

  it('reads the stack name from a stack ARN, and takes anything else as the name', () => {
    expect(stackNameOf(request.StackId)).toBe('web-static-ip');
    expect(stackNameOf('web-static-ip')).toBe('web-static-ip');
  });
});

describe('Function: looksLikeCustomResourceRequest and readCustomResourceRequest', () => {
  it('tells requests, well formed or not, from the functions other input', () => {
    expect(looksLikeCustomResourceRequest(loadEvent('target-group-sync-create'))).toBe(true);
    expect(looksLikeCustomResourceRequest({ RequestType: 'Patch' })).toBe(true);
    expect(looksLikeCustomResourceRequest({ ResponseURL: 'https://x' })).toBe(true);
    expect(looksLikeCustomResourceRequest({ ResourceProperties: {} })).toBe(true);
    expect(looksLikeCustomResourceRequest({ LogicalResourceId: 'X' })).toBe(true);
    expect(looksLikeCustomResourceRequest(loadEvent('scheduled-sync'))).toBe(false);
    expect(looksLikeCustomResourceRequest(null)).toBe(false);
    expect(looksLikeCustomResourceRequest('Create')).toBe(false);
  });

  it.each([
    'target-group-sync-create',
    'target-group-sync-update',
    'target-group-sync-delete',
  ] as const)('reads the %s sample as well formed', (name) => {
    expect(readCustomResourceRequest(loadEvent(name))).toMatchObject({ ok: true });
  });

  it('asks for a PhysicalResourceId on an Update and a Delete only', () => {
    const { PhysicalResourceId: _id, ...withoutId } = loadEvent('target-group-sync-delete');

    expect(readCustomResourceRequest(withoutId)).toMatchObject({
      ok: false,
      problems: [
        'PhysicalResourceId: got nothing; expected a non-empty string on an Update or a Delete',
      ],
    });
    expect(readCustomResourceRequest({ ...withoutId, RequestType: 'Create' })).toMatchObject({
      ok: true,
    });
  });

  it('names every problem of something that is not a request at all', () => {
    expect(readCustomResourceRequest([1])).toMatchObject({
      ok: false,
      responseUrl: undefined,
      problems: [
        'input: got [1]; expected a CloudFormation custom resource request',
        'RequestType: got nothing; expected Create, Update or Delete',
        'ResponseURL: got nothing; expected the presigned URL to send the answer to',
        'StackId: got nothing; expected a non-empty string',
        'RequestId: got nothing; expected a non-empty string',
        'LogicalResourceId: got nothing; expected a non-empty string',
      ],
    });
  });

  it.each([
    ['text', 'Create', '"Create"'],
    ['nothing', null, 'null'],
    ['a number', 42, '42'],
  ])('says %s is not a request at all', (_, input, shown) => {
    expect(readCustomResourceRequest(input)).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([
        `input: got ${shown}; expected a CloudFormation custom resource request`,
      ]),
    });
  });

  it('takes only http and https URLs as a ResponseURL, and only as text', () => {
    const create = loadEvent('target-group-sync-create');
    expect(
      readCustomResourceRequest({ ...create, ResponseURL: ['https://bucket.s3.amazonaws.com/r'] }),
    ).toMatchObject({ ok: false, responseUrl: undefined });
    expect(readCustomResourceRequest({ ...create, ResponseURL: 'ftp://host/x' })).toMatchObject({
      ok: false,
      responseUrl: undefined,
    });
    expect(
      readCustomResourceRequest({ ...create, ResponseURL: 'http://127.0.0.1/x' }),
    ).toMatchObject({
      ok: true,
    });
  });
});

describe('Function: resourceProperties', () => {
  it("drops only CloudFormation's ServiceToken and ServiceTimeout", () => {
    expect(
      resourceProperties({
        ServiceToken: 'arn',
        ServiceTimeout: '300',
        Name: 'a',
        Service: 'kept',
      }),
    ).toEqual({ Name: 'a', Service: 'kept' });
  });

  it('reads no properties from a value that is not an object', () => {
    expect(resourceProperties(undefined)).toEqual({});
    expect(resourceProperties(null)).toEqual({});
    expect(resourceProperties('Name=a')).toEqual({});
  });
});

describe('Function: withInitGuard', () => {
  it('answers FAILED to a request when the module failed to load, and logs it', async () => {
    // Prepare
    const log = logger();
    const loadError = new Error('POWERTOOLS_METRICS_NAMESPACE: bad');
    const handler = withInitGuard(() => Promise.reject(loadError), { logger: log, send });
    const update = event('target-group-sync-update');

    // Act
    await handler(event('target-group-sync-create'), context());
    await handler(update, context());

    // Assess
    expect(receiver.received.map((answer) => answer.json)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'POWERTOOLS_METRICS_NAMESPACE: bad (log stream: 2026/11/21/[$LATEST]abcdef)',
        PhysicalResourceId: CREATE_FAILED_MARKER,
      }),
      expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: idOf(update) }),
    ]);
    expect(log.error).toHaveBeenCalledWith('The function failed to initialise', {
      error: loadError,
    });
  });

  it('answers a malformed request FAILED with the load error and its problems', async () => {
    const handler = withInitGuard(() => Promise.reject(new Error('cannot load')), {
      logger: logger(),
      send,
    });

    await handler({ ...event('target-group-sync-create'), RequestType: 'Patch' }, context());

    expect(receiver.received[0]?.json.Reason).toBe(
      'Invalid request: cannot load; RequestType: got "Patch"; expected Create, Update or Delete (log stream: 2026/11/21/[$LATEST]abcdef)',
    );
  });

  it('answers through the default sender when given none', async () => {
    const handler = withInitGuard(() => Promise.reject(new Error('cannot load')), {
      logger: logger(),
    });

    await handler(event('target-group-sync-delete'), context());

    expect(receiver.received.map((answer) => answer.json.Status)).toEqual(['FAILED']);
  });

  it('fails any other event with the load error', async () => {
    const handler = withInitGuard(() => Promise.reject(new Error('cannot load')), {
      logger: logger(),
      send,
    });

    const loadError = new Error('cannot load');
    const guarded = withInitGuard(() => Promise.reject(loadError), { logger: logger(), send });

    await expect(handler(loadEvent('scheduled-sync'), context())).rejects.toThrow('cannot load');
    await expect(guarded(loadEvent('scheduled-sync'), context())).rejects.toBe(loadError);

    expect(receiver.attempts).toHaveLength(0);
  });

  it('hands every event to the loaded handler when loading worked', async () => {
    const inner = vi.fn(async () => 'done');
    const handler = withInitGuard(async () => ({ handler: inner }), { logger: logger(), send });

    await expect(handler({ any: 1 }, context())).resolves.toBe('done');

    expect(inner).toHaveBeenCalledWith({ any: 1 }, expect.anything());
  });
});
