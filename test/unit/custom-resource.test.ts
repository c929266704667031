import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { parseInput } from '../../functions/shared/binding.js';
import {
  CREATE_FAILED_MARKER,
  type CustomResourceDefinition,
  isCustomResourceEvent,
  physicalResourceIdFor,
  putResponse,
  type ResponseSender,
  redactUrl,
  resourceProperties,
  runCustomResource,
  withInitGuard,
} from '../../functions/shared/custom-resource.js';
import { loadEvent } from '../support/events.js';
import { PRESIGNED_QUERY, receiverForTests } from '../support/response-receiver.js';

// The runtime that answers CloudFormation exactly once for every custom-resource event. How the
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

function event(
  name: SampleName,
  properties: Record<string, unknown> = { Name: 'a' },
  oldProperties: Record<string, unknown> = { Name: 'a' },
): CloudFormationCustomResourceEvent {
  const sample = loadEvent(name, { ResponseURL: receiver.url });
  const withService = (props: Record<string, unknown>) => ({
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:f',
    ServiceTimeout: '300',
    ...props,
  });
  return {
    ...sample,
    ResourceProperties: withService(properties),
    ...('OldResourceProperties' in sample
      ? { OldResourceProperties: withService(oldProperties) }
      : {}),
  } as unknown as CloudFormationCustomResourceEvent;
}

const idOf = (request: CloudFormationCustomResourceEvent): string =>
  (request as { PhysicalResourceId: string }).PhysicalResourceId;

function context(remainingMs = 60_000): Context {
  return {
    getRemainingTimeInMillis: () => remainingMs,
    logStreamName: '2026/11/21/[$LATEST]abcdef',
  } as Context;
}

function definition(overrides: Partial<CustomResourceDefinition<Props>> = {}) {
  return {
    kind: 'thing',
    parse: (properties: unknown) => parseInput(Props, properties, ['Name', 'Size']),
    identity: (props: Props) => props.Name,
    create: vi.fn(async (props: Props) => ({ Seen: props.Name, Size: props.Size })),
    update: vi.fn(async () => ({ Updated: true })),
    delete: vi.fn(async () => undefined),
    ...overrides,
  } satisfies CustomResourceDefinition<Props>;
}

const logger = () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() });
const send = putResponse({ baseDelayMs: 1 });
const throwing = (message: string) =>
  vi.fn(async (): Promise<never> => {
    throw new Error(message);
  });

describe('Function: runCustomResource', () => {
  it('answers a Create once, echoing the request and minting an id from the identity', async () => {
    // Prepare
    const create = event('target-group-sync-create', { Name: 'web', Size: '3' });

    // Act
    await runCustomResource(create, context(), definition(), { logger: logger(), send });

    // Assess
    expect(receiver.received).toHaveLength(1);
    const [answer] = receiver.received;
    expect(answer?.json).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: physicalResourceIdFor(create, 'thing', 'web'),
      StackId: create.StackId,
      RequestId: create.RequestId,
      LogicalResourceId: create.LogicalResourceId,
      Data: { Seen: 'web', Size: 3 },
    });
    expect(answer?.json.PhysicalResourceId).toMatch(/^thing\/TargetGroupSync\/[0-9a-f]{16}$/);
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
    expect(minted).toBe(physicalResourceIdFor(replaced, 'thing', 'b'));
    expect(minted).not.toBe(kept);
  });

  it('gives update the parsed old properties', async () => {
    const ops = definition();
    const update = event(
      'target-group-sync-update',
      { Name: 'a', Size: 2 },
      { Name: 'a', Size: 1 },
    );

    await runCustomResource(update, context(), ops, { logger: logger(), send });

    expect(ops.update).toHaveBeenCalledWith(
      { Name: 'a', Size: 2 },
      { Name: 'a', Size: 1 },
      {
        requestType: 'Update',
        physicalResourceId: idOf(update),
        stackId: update.StackId,
        logicalResourceId: 'TargetGroupSync',
      },
    );
  });

  it('replaces the resource when the old properties do not parse, and updates without them', async () => {
    // Prepare
    const ops = definition();
    const update = event('target-group-sync-update', { Name: 'a' }, { Unknown: true });

    // Act
    await runCustomResource(update, context(), ops, { logger: logger(), send });

    // Assess
    const minted = physicalResourceIdFor(update, 'thing', 'a');
    expect(minted).not.toBe(idOf(update));
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: minted,
    });
    expect(ops.update).toHaveBeenCalledWith(
      { Name: 'a' },
      undefined,
      expect.objectContaining({ physicalResourceId: minted }),
    );
  });

  it('never changes the id on Delete', async () => {
    const remove = event('target-group-sync-delete');
    const ops = definition();

    await runCustomResource(remove, context(), ops, { logger: logger(), send });

    expect(ops.delete).toHaveBeenCalledWith(
      { Name: 'a' },
      {
        requestType: 'Delete',
        physicalResourceId: idOf(remove),
        stackId: remove.StackId,
        logicalResourceId: 'TargetGroupSync',
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
    const ops = definition();

    await runCustomResource(event('target-group-sync-create', { Name: 5 }), context(), ops, {
      logger: logger(),
      send,
    });

    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/^Invalid input: Name: got 5; .* \(log stream: /),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    });
    expect(ops.create).not.toHaveBeenCalled();
  });

  it('answers FAILED when the work throws, keeping the id on an Update, and logs why', async () => {
    // Prepare
    const failing = definition({
      create: throwing('RegisterTargets failed: AccessDenied'),
      update: throwing('boom'),
    });
    const update = event('target-group-sync-update');
    const log = logger();

    // Act
    await runCustomResource(event('target-group-sync-create'), context(), failing, {
      logger: log,
      send,
    });
    await runCustomResource(update, context(), failing, { logger: log, send });

    // Assess
    expect(receiver.received.map((answer) => answer.json)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'RegisterTargets failed: AccessDenied (log stream: 2026/11/21/[$LATEST]abcdef)',
        PhysicalResourceId: 'alb-static-ip:create-failed',
      }),
      expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: idOf(update) }),
    ]);
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
    /** A definition whose Create never finishes, answered through a sender that records. */
    function hangingRun(remainingMs: number, deadlineMarginMs?: number) {
      const sent: string[] = [];
      const recorder: ResponseSender = async (_url, body) => {
        sent.push(body);
      };
      const hanging = definition({ create: vi.fn(() => new Promise<undefined>(() => undefined)) });
      const done = runCustomResource(
        event('target-group-sync-create'),
        context(remainingMs),
        hanging,
        {
          logger: logger(),
          send: recorder,
          ...(deadlineMarginMs === undefined ? {} : { deadlineMarginMs }),
        },
      );
      return { sent, done };
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
      expect(JSON.parse(sent[0] ?? '{}')).toMatchObject({
        Status: 'FAILED',
        Reason:
          "The Create did not finish before the Lambda function's timeout (log stream: 2026/11/21/[$LATEST]abcdef)",
        PhysicalResourceId: CREATE_FAILED_MARKER,
      });
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

  it('keeps within the limit when the Reason is made of characters JSON escapes', async () => {
    const noisy = definition({ create: throwing(`${'"\\\n'.repeat(3000)}END`) });

    await runCustomResource(event('target-group-sync-create'), context(), noisy, {
      logger: logger(),
      send,
    });

    const [answer] = receiver.received;
    expect(Buffer.byteLength(answer?.body ?? '')).toBeLessThanOrEqual(4096);
    expect(answer?.json.Reason).toMatch(/^\.\.\..*END \(log stream/s);
    // The cut is the smallest that fits: one more character would not.
    expect(Buffer.byteLength(answer?.body ?? '')).toBeGreaterThan(4096 - 8);
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

  it('after a failed Create, deletes the marker without touching anything, valid properties or not', async () => {
    // Prepare: a Create that fails in the work, so its properties are valid
    const ops = definition({ create: throwing('the work failed') });
    await runCustomResource(event('target-group-sync-create', { Name: 'web' }), context(), ops, {
      logger: logger(),
      send,
    });
    const markerId = receiver.received[0]?.json.PhysicalResourceId;
    const removeValid = {
      ...event('target-group-sync-delete', { Name: 'web' }),
      PhysicalResourceId: markerId,
    };
    const removeInvalid = {
      ...event('target-group-sync-delete', { Name: 7 }),
      PhysicalResourceId: markerId,
    };

    // Act
    for (const remove of [removeValid, removeInvalid]) {
      await runCustomResource(remove as CloudFormationCustomResourceEvent, context(), ops, {
        logger: logger(),
        send,
      });
    }

    // Assess
    expect(markerId).toBe('alb-static-ip:create-failed');
    expect(ops.delete).not.toHaveBeenCalled();
    expect(receiver.received.slice(1).map((answer) => answer.json)).toEqual([
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

    await runCustomResource(event('target-group-sync-delete', { Nope: 1 }), context(), ops, {
      logger: logger(),
      send,
    });

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
      {
        logger: log,
        send,
      },
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
    const errors = log.error.mock.calls.map(([, fields]) => {
      const error = (fields as { error: Error }).error;
      return `${error.message} ${String(error.cause)}`;
    });
    expect(errors.join(' ')).not.toContain('s3cr3t-signature');
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

describe('Function: physicalResourceIdFor', () => {
  const create = () => event('target-group-sync-create');

  it('mints KIND/LOGICAL-ID/16 hex digits on Create, the same each time for the same resource', () => {
    const minted = physicalResourceIdFor(create(), 'thing', 'x');

    expect(minted).toMatch(/^thing\/TargetGroupSync\/[0-9a-f]{16}$/);
    expect(physicalResourceIdFor(create(), 'thing', 'x')).toBe(minted);
  });

  it('mints another id for another stack, another logical id or another identity', () => {
    const original = create();
    const minted = physicalResourceIdFor(original, 'thing', 'x');

    expect(
      physicalResourceIdFor(
        { ...original, StackId: original.StackId.replace('web-static-ip', 'other') },
        'thing',
        'x',
      ),
    ).not.toBe(minted);
    expect(
      physicalResourceIdFor({ ...original, LogicalResourceId: 'Other' }, 'thing', 'x'),
    ).not.toBe(minted);
    expect(physicalResourceIdFor(original, 'thing', 'y')).not.toBe(minted);
  });

  it('mints on Create even when handed an identity to compare with', () => {
    expect(physicalResourceIdFor(create(), 'thing', 'x', 'x')).toBe(
      physicalResourceIdFor(create(), 'thing', 'x'),
    );
    expect(physicalResourceIdFor(create(), 'thing', 'x', 'x')).toMatch(/^thing\//);
  });

  it('keeps the id on an Update with the same identity', () => {
    const update = event('target-group-sync-update');

    expect(physicalResourceIdFor(update, 'thing', 'x', 'x')).toBe(idOf(update));
  });

  it('mints the id a Create would on an Update whose identity changed or is unknown', () => {
    const update = event('target-group-sync-update');
    const asCreate = physicalResourceIdFor({ ...create(), StackId: update.StackId }, 'thing', 'y');

    expect(physicalResourceIdFor(update, 'thing', 'y', 'x')).toBe(asCreate);
    expect(physicalResourceIdFor(update, 'thing', 'y')).toBe(asCreate);
  });

  it('echoes the id on Delete, whatever the identity', () => {
    const remove = event('target-group-sync-delete');

    expect(physicalResourceIdFor(remove, 'thing', 'anything')).toBe(idOf(remove));
  });
});

describe('Function: isCustomResourceEvent', () => {
  it.each([
    'target-group-sync-create',
    'target-group-sync-update',
    'target-group-sync-delete',
  ] as const)('recognises the %s request', (name) => {
    expect(isCustomResourceEvent(loadEvent(name))).toBe(true);
  });

  it.each(['ResponseURL', 'StackId', 'RequestId', 'LogicalResourceId'])(
    'refuses a request whose %s is missing or not a string',
    (field) => {
      const { [field]: _dropped, ...without } = loadEvent('target-group-sync-create');

      expect(isCustomResourceEvent(without)).toBe(false);
      expect(isCustomResourceEvent({ ...without, [field]: 42 })).toBe(false);
    },
  );

  it('refuses an unknown RequestType, and events that are not requests at all', () => {
    expect(
      isCustomResourceEvent(loadEvent('target-group-sync-create', { RequestType: 'Patch' })),
    ).toBe(false);
    expect(isCustomResourceEvent(loadEvent('scheduled-sync'))).toBe(false);
    expect(isCustomResourceEvent({ RequestType: 'Create' })).toBe(false);
    expect(isCustomResourceEvent(null)).toBe(false);
    expect(isCustomResourceEvent(undefined)).toBe(false);
    expect(isCustomResourceEvent('Create')).toBe(false);
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
  it('answers FAILED to a custom-resource event when the module failed to load, and logs it', async () => {
    // Prepare
    const log = logger();
    const loadError = new Error('POWERTOOLS_METRICS_NAMESPACE: bad');
    const handler = withInitGuard(() => Promise.reject(loadError), { logger: log, send });

    // Act
    await handler(event('target-group-sync-create'), context());

    // Assess
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'FAILED',
      Reason: 'POWERTOOLS_METRICS_NAMESPACE: bad (log stream: 2026/11/21/[$LATEST]abcdef)',
      PhysicalResourceId: CREATE_FAILED_MARKER,
    });
    expect(log.error).toHaveBeenCalledWith('The function failed to initialise', {
      error: loadError,
    });
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

    await expect(handler(loadEvent('scheduled-sync'), context())).rejects.toThrow('cannot load');

    expect(receiver.attempts).toHaveLength(0);
  });

  it('hands every event to the loaded handler when loading worked', async () => {
    const inner = vi.fn(async () => 'done');
    const handler = withInitGuard(async () => ({ handler: inner }), { logger: logger(), send });

    await expect(handler({ any: 1 }, context())).resolves.toBe('done');

    expect(inner).toHaveBeenCalledWith({ any: 1 }, expect.anything());
  });
});
