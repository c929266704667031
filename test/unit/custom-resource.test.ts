import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { parseInput } from '../../functions/shared/binding.js';
import {
  CREATE_FAILED_MARKER,
  type CustomResourceDefinition,
  isCustomResourceEvent,
  MAX_RESPONSE_BYTES,
  physicalResourceIdFor,
  putResponse,
  runCustomResource,
  withInitGuard,
} from '../../functions/shared/custom-resource.js';
import { loadEvent } from '../support/events.js';
import {
  PRESIGNED_QUERY,
  type ResponseReceiver,
  startResponseReceiver,
} from '../support/response-receiver.js';

const Props = z.strictObject({ Name: z.string(), Size: z.optional(z.coerce.number()) });
type Props = z.output<typeof Props>;

let receiver: ResponseReceiver;
beforeAll(async () => {
  receiver = await startResponseReceiver();
});
afterAll(async () => {
  await receiver.stop();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.failNext(0, 200);
});

function event(
  name: 'target-group-sync-create' | 'target-group-sync-update' | 'target-group-sync-delete',
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

function context(remainingMs = 60_000): Context {
  return {
    getRemainingTimeInMillis: () => remainingMs,
    logStreamName: '2026/11/21/[$LATEST]abcdef',
  } as Context;
}

function definition(overrides: Partial<CustomResourceDefinition<Props>> = {}) {
  return {
    kind: 'thing',
    parse: (properties: unknown) => parseInput(Props, properties),
    identity: (props: Props) => props.Name,
    create: vi.fn(async (props: Props) => ({ Seen: props.Name, Size: props.Size })),
    update: vi.fn(async () => ({ Updated: true })),
    delete: vi.fn(async () => undefined),
    ...overrides,
  } satisfies CustomResourceDefinition<Props>;
}

const logger = () => ({ info: vi.fn(), warn: vi.fn(), error: vi.fn() });
const send = putResponse({ baseDelayMs: 1 });

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

  it('PUTs with an empty content type and the exact content length, to the URL as given', async () => {
    await runCustomResource(event('target-group-sync-create'), context(), definition(), {
      logger: logger(),
      send,
    });

    const [answer] = receiver.received;
    expect(answer?.method).toBe('PUT');
    expect(answer?.headers['content-type']).toBe('');
    expect(Number(answer?.headers['content-length'])).toBe(Buffer.byteLength(answer?.body ?? ''));
    expect(answer?.path).toContain(`?${PRESIGNED_QUERY}`);
  });

  it('keeps the id on an Update of the same resource and mints a new one on replacement', async () => {
    const same = event('target-group-sync-update', { Name: 'a', Size: 2 }, { Name: 'a' });
    const replaced = event('target-group-sync-update', { Name: 'b' }, { Name: 'a' });

    await runCustomResource(same, context(), definition(), { logger: logger(), send });
    await runCustomResource(replaced, context(), definition(), { logger: logger(), send });

    const [kept, minted] = receiver.received.map((answer) => answer.json.PhysicalResourceId);
    expect(kept).toBe((same as { PhysicalResourceId: string }).PhysicalResourceId);
    expect(minted).toBe(physicalResourceIdFor(replaced, 'thing', 'b'));
    expect(minted).not.toBe(kept);
  });

  it('never changes the id on Delete', async () => {
    const remove = event('target-group-sync-delete');
    const ops = definition();

    await runCustomResource(remove, context(), ops, { logger: logger(), send });

    expect(ops.delete).toHaveBeenCalledWith(
      { Name: 'a' },
      expect.objectContaining({ requestType: 'Delete' }),
    );
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: (remove as { PhysicalResourceId: string }).PhysicalResourceId,
    });
  });

  it('mints the same id for the same resource, and another for another stack', () => {
    const create = event('target-group-sync-create');
    const elsewhere = { ...create, StackId: create.StackId.replace('web-static-ip', 'other') };
    expect(physicalResourceIdFor(create, 'thing', 'x')).toBe(
      physicalResourceIdFor(create, 'thing', 'x'),
    );
    expect(physicalResourceIdFor(elsewhere, 'thing', 'x')).not.toBe(
      physicalResourceIdFor(create, 'thing', 'x'),
    );
  });

  it('strips ServiceToken and ServiceTimeout before validating, and reads stringified numbers', async () => {
    const ops = definition();
    await runCustomResource(
      event('target-group-sync-create', { Name: 'n', Size: '7' }),
      context(),
      ops,
      {
        logger: logger(),
        send,
      },
    );
    expect(ops.create).toHaveBeenCalledWith({ Name: 'n', Size: 7 }, expect.anything());
  });

  it('answers FAILED, naming the property and value, when the properties are bad', async () => {
    await runCustomResource(
      event('target-group-sync-create', { Name: 5 }),
      context(),
      definition(),
      {
        logger: logger(),
        send,
      },
    );
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/^Invalid input: Name: got 5; .* \(log stream: /),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    });
  });

  it('answers FAILED when the work throws, keeping the id on an Update', async () => {
    const failing = definition({
      create: vi.fn(async () => {
        throw new Error('RegisterTargets failed: AccessDenied');
      }),
      update: vi.fn(async () => {
        throw new Error('boom');
      }),
    });
    const update = event('target-group-sync-update');

    await runCustomResource(event('target-group-sync-create'), context(), failing, {
      logger: logger(),
      send,
    });
    await runCustomResource(update, context(), failing, { logger: logger(), send });

    expect(receiver.received.map((answer) => answer.json)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: 'RegisterTargets failed: AccessDenied (log stream: 2026/11/21/[$LATEST]abcdef)',
        PhysicalResourceId: CREATE_FAILED_MARKER,
      }),
      expect.objectContaining({
        Status: 'FAILED',
        PhysicalResourceId: (update as { PhysicalResourceId: string }).PhysicalResourceId,
      }),
    ]);
  });

  it('answers FAILED before the Lambda deadline when the work hangs, and only once', async () => {
    // Prepare: the work finishes long after the deadline has passed
    let finish: () => void = () => undefined;
    const hanging = definition({
      create: vi.fn(
        () =>
          new Promise<undefined>((resolve) => {
            finish = () => resolve(undefined);
          }),
      ),
    });
    const started = Date.now();

    // Act: 400 ms left, so the answer goes at the latest halfway
    await runCustomResource(event('target-group-sync-create'), context(400), hanging, {
      logger: logger(),
      send,
    });
    const answeredAfter = Date.now() - started;
    finish();
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(answeredAfter).toBeLessThan(400);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining("did not finish before the Lambda function's timeout"),
    });
  });

  it('truncates a huge Reason from the front, keeping the error at its end', async () => {
    const noisy = definition({
      create: vi.fn(async () => {
        throw new Error(`${'x'.repeat(10_000)} THE REAL ERROR`);
      }),
    });

    await runCustomResource(event('target-group-sync-create'), context(), noisy, {
      logger: logger(),
      send,
    });

    const [answer] = receiver.received;
    expect(Buffer.byteLength(answer?.body ?? '')).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(answer?.json.Reason).toMatch(/^\.\.\.x+ THE REAL ERROR \(log stream: .*\)$/);
  });

  it('keeps within the limit when the Reason is made of characters JSON escapes', async () => {
    const noisy = definition({
      create: vi.fn(async () => {
        throw new Error(`${'"\\\n'.repeat(3000)}END`);
      }),
    });

    await runCustomResource(event('target-group-sync-create'), context(), noisy, {
      logger: logger(),
      send,
    });

    const [answer] = receiver.received;
    expect(Buffer.byteLength(answer?.body ?? '')).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(answer?.json.Reason).toMatch(/^\.\.\..*END \(log stream/s);
    // The cut is the smallest that fits: one more character would not.
    expect(Buffer.byteLength(answer?.body ?? '')).toBeGreaterThan(MAX_RESPONSE_BYTES - 8);
  });

  it('answers FAILED instead of sending Data that would not fit', async () => {
    const bulky = definition({ create: vi.fn(async () => ({ Big: 'y'.repeat(5000) })) });

    await runCustomResource(event('target-group-sync-create'), context(), bulky, {
      logger: logger(),
      send,
    });

    const [answer] = receiver.received;
    expect(Buffer.byteLength(answer?.body ?? '')).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(answer?.json).not.toHaveProperty('Data');
    expect(answer?.json).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/attributes \(Data\) are 5010 bytes.*4096-byte limit/),
    });
  });

  it('after a failed Create, deletes the marker without touching anything', async () => {
    // Prepare
    const ops = definition();
    await runCustomResource(event('target-group-sync-create', { Name: 7 }), context(), ops, {
      logger: logger(),
      send,
    });
    const markerId = receiver.received[0]?.json.PhysicalResourceId;
    const remove = {
      ...event('target-group-sync-delete', { Name: 7 }),
      PhysicalResourceId: markerId,
    };

    // Act
    await runCustomResource(remove as CloudFormationCustomResourceEvent, context(), ops, {
      logger: logger(),
      send,
    });

    // Assess
    expect(markerId).toBe(CREATE_FAILED_MARKER);
    expect(ops.delete).not.toHaveBeenCalled();
    expect(receiver.received[1]?.json).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: CREATE_FAILED_MARKER,
    });
  });

  it('deletes nothing, successfully, when the properties do not parse', async () => {
    const ops = definition();
    await runCustomResource(event('target-group-sync-delete', { Nope: 1 }), context(), ops, {
      logger: logger(),
      send,
    });
    expect(ops.delete).not.toHaveBeenCalled();
    expect(receiver.received[0]?.json.Status).toBe('SUCCESS');
  });

  it('never logs the presigned query string of the ResponseURL', async () => {
    const log = logger();
    const failing = definition({
      create: vi.fn(async () => {
        throw new Error('boom');
      }),
    });

    await runCustomResource(event('target-group-sync-create'), context(), failing, {
      logger: log,
      send,
    });

    const logged = JSON.stringify([log.info.mock.calls, log.warn.mock.calls, log.error.mock.calls]);
    expect(logged).toContain('/cloudformation-response/stack/resource');
    expect(logged).not.toContain('s3cr3t-signature');
    expect(logged).not.toContain('X-Amz');
  });

  it('retries the PUT with backoff when the URL answers with a server error', async () => {
    receiver.failNext(2, 503);

    await runCustomResource(event('target-group-sync-create'), context(), definition(), {
      logger: logger(),
      send,
    });

    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.json.Status).toBe('SUCCESS');
  });

  it('gives up on a PUT the URL refuses, logs it without the query, and does not throw', async () => {
    receiver.failNext(10, 403);
    const log = logger();

    const response = await runCustomResource(
      event('target-group-sync-create'),
      context(),
      definition(),
      {
        logger: log,
        send,
      },
    );

    expect(response.Status).toBe('SUCCESS');
    expect(receiver.received).toHaveLength(0);
    expect(log.error).toHaveBeenCalledWith('Custom resource response could not be sent', {
      error: expect.objectContaining({
        message: expect.stringContaining('answered HTTP 403'),
      }),
    });
    const errors = log.error.mock.calls.map(([, fields]) => {
      const error = (fields as { error: Error }).error;
      return `${error.message} ${String(error.cause)}`;
    });
    expect(errors.join(' ')).not.toContain('s3cr3t-signature');
  });
});

describe('Function: withInitGuard', () => {
  it('answers FAILED to a custom-resource event when the module failed to load', async () => {
    const handler = withInitGuard(
      () => Promise.reject(new Error('POWERTOOLS_METRICS_NAMESPACE: bad')),
      {
        logger: logger(),
        send,
      },
    );

    await handler(event('target-group-sync-create'), context());

    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.json).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('POWERTOOLS_METRICS_NAMESPACE: bad'),
      PhysicalResourceId: CREATE_FAILED_MARKER,
    });
  });

  it('fails any other event with the load error', async () => {
    const handler = withInitGuard(() => Promise.reject(new Error('cannot load')), {
      logger: logger(),
      send,
    });
    await expect(handler(loadEvent('scheduled-sync'), context())).rejects.toThrow('cannot load');
    expect(receiver.received).toHaveLength(0);
  });

  it('hands every event to the loaded handler when loading worked', async () => {
    const inner = vi.fn(async () => 'done');
    const handler = withInitGuard(async () => ({ handler: inner }), { logger: logger(), send });
    await expect(handler({ any: 1 }, context())).resolves.toBe('done');
    expect(inner).toHaveBeenCalledWith({ any: 1 }, expect.anything());
  });
});

describe('Function: isCustomResourceEvent', () => {
  it('tells custom-resource requests from other events', () => {
    expect(isCustomResourceEvent(loadEvent('target-group-sync-create'))).toBe(true);
    expect(isCustomResourceEvent(loadEvent('nlb-private-ips-delete'))).toBe(true);
    expect(isCustomResourceEvent(loadEvent('scheduled-sync'))).toBe(false);
    expect(isCustomResourceEvent({ RequestType: 'Create' })).toBe(false);
    expect(isCustomResourceEvent(null)).toBe(false);
  });
});
