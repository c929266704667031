import { execFileSync } from 'node:child_process';
import { globalAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type CustomResourceResponse,
  MAX_RESPONSE_BYTES,
  putResponse,
  redactUrl,
  responseBody,
  type SendBudget,
} from '../../functions/shared/custom-resource-response.js';
import {
  type ResponseReceiver,
  receiverForTests,
  startResponseReceiver,
} from '../support/response-receiver.js';
import { budgetFor } from '../support/work-budget.js';

// How the answer reaches CloudFormation: fitted to its 4,096-byte limit, then PUT to the presigned
// URL with retries. The receiver on loopback stands in for that URL; it can answer with any status
// or not at all.

const STACK_ID =
  'arn:aws:cloudformation:us-east-1:123456789012:stack/web-static-ip/5b6c8a30-7f1d-11ef-9a4e-0a1b2c3d4e5f';

function response(overrides: Partial<CustomResourceResponse> = {}): CustomResourceResponse {
  return {
    Status: 'SUCCESS',
    PhysicalResourceId: 'thing/TargetGroupSync/0123456789abcdef',
    StackId: STACK_ID,
    RequestId: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a',
    LogicalResourceId: 'TargetGroupSync',
    ...overrides,
  };
}

const bytes = (text: string): number => Buffer.byteLength(text);

/** Far more time than any of these sends takes: the budget plays no part. */
const PLENTY: SendBudget = { timeLeftMs: () => 600_000 };

/** A budget that says these amounts of time are left, one a call, then the last one ever after. */
function scripted(...amounts: number[]): SendBudget {
  return { timeLeftMs: () => (amounts.length > 1 ? (amounts.shift() ?? 0) : (amounts[0] ?? 0)) };
}

/** A Reason of plain ASCII that makes the whole answer exactly `size` bytes of JSON. */
function reasonForSize(size: number, base: CustomResourceResponse): string {
  const overhead = bytes(JSON.stringify({ ...base, Reason: '' }));
  return 'r'.repeat(size - overhead);
}

describe('Function: responseBody', () => {
  it('sends an answer of exactly 4,096 bytes as it is', () => {
    // Prepare
    const base = response({ Status: 'FAILED' });
    const exact = { ...base, Reason: reasonForSize(MAX_RESPONSE_BYTES, base) };

    // Act
    const body = responseBody(exact);

    // Assess
    expect(bytes(body)).toBe(MAX_RESPONSE_BYTES);
    expect(JSON.parse(body)).toEqual(exact);
  });

  it('cuts the fewest characters from the front of a Reason one byte too long', () => {
    // Prepare
    const base = response({ Status: 'FAILED' });
    const reason = `${reasonForSize(MAX_RESPONSE_BYTES + 1, base).slice(1)}Z`;

    // Act
    const body = responseBody({ ...base, Reason: reason });

    // Assess: every character is one byte, so the fewest is exactly 4,096 bytes
    expect(bytes(body)).toBe(MAX_RESPONSE_BYTES);
    const sent = JSON.parse(body) as CustomResourceResponse;
    expect(sent.Reason?.startsWith('...')).toBe(true);
    expect(sent.Reason?.endsWith('rZ')).toBe(true);
    expect(sent).toEqual({ ...base, Reason: sent.Reason });
  });

  it('answers FAILED without the Data when it does not fit, and says how big it was', () => {
    // Prepare
    const data = { Big: 'y'.repeat(5000) };

    // Act
    const sent = JSON.parse(responseBody(response({ Data: data }))) as CustomResourceResponse;

    // Assess
    expect(sent).toEqual(
      response({
        Status: 'FAILED',
        Reason: `The resource's attributes (Data) are ${bytes(JSON.stringify(data))} bytes; with the rest of the answer they exceed the 4096-byte limit of a custom resource response.`,
      }),
    );
  });

  it('adds the advice to that Reason, and keeps an answer that then fits exactly', () => {
    // Prepare: advice that makes the answer without Data exactly 4,096 bytes
    const data = { Big: 'y'.repeat(5000) };
    const withAdvice = (advice: string) =>
      responseBody(response({ Data: data, Reason: undefined }), advice);
    const shortest = bytes(withAdvice('a'));
    const advice = `${'a'.repeat(MAX_RESPONSE_BYTES - shortest)}Z`;

    // Act
    const body = withAdvice(advice);

    // Assess
    expect(bytes(body)).toBe(MAX_RESPONSE_BYTES);
    const sent = JSON.parse(body) as CustomResourceResponse;
    expect(sent.Status).toBe('FAILED');
    expect(sent.Reason).toMatch(/^The resource's attributes \(Data\) are 5010 bytes; .* a+Z$/);
  });

  it('cuts that Reason from the front when even the answer without Data is too long', () => {
    // Prepare
    const advice = `${'Use SecurityGroupId. '.repeat(300)}THE ADVICE ENDS HERE`;

    // Act
    const body = responseBody(response({ Data: { Big: 'y'.repeat(5000) } }), advice);

    // Assess
    expect(bytes(body)).toBe(MAX_RESPONSE_BYTES);
    const sent = JSON.parse(body) as CustomResourceResponse;
    expect(sent).not.toHaveProperty('Data');
    expect(sent.Status).toBe('FAILED');
    expect(sent.Reason).toMatch(/^\.\.\..*Use SecurityGroupId\. THE ADVICE ENDS HERE$/);
  });
});

describe('Function: redactUrl', () => {
  it('keeps the origin and path, and drops the presigned query', () => {
    expect(redactUrl('https://bucket.s3.amazonaws.com/a/b?X-Amz-Signature=secret#frag')).toBe(
      'https://bucket.s3.amazonaws.com/a/b',
    );
  });

  it('says the URL could not be read rather than echo it', () => {
    expect(redactUrl('not a url ?X-Amz-Signature=secret')).toBe('(unparseable URL)');
  });
});

describe('Function: putResponse', () => {
  const receiver = receiverForTests();
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  const body = JSON.stringify(response());

  it('PUTs the body with an empty content type and its exact length', async () => {
    await putResponse()(receiver.url, body, PLENTY);

    const [answer] = receiver.received;
    expect(answer?.method).toBe('PUT');
    expect(answer?.headers['content-type']).toBe('');
    expect(answer?.headers['content-length']).toBe(String(bytes(body)));
    expect(answer?.body).toBe(body);
  });

  it('sends the first attempt at once, however long the backoff', async () => {
    // A backoff before the first attempt would outlast this test's time.
    await putResponse({ baseDelayMs: 600_000, maxDelayMs: 600_000 })(receiver.url, body, PLENTY);

    expect(receiver.attempts).toHaveLength(1);
  });

  it.each([200, 201, 204, 299])('takes HTTP %i as delivered', async (status) => {
    receiver.answerNext(status);

    await expect(putResponse()(receiver.url, body, PLENTY)).resolves.toBeUndefined();

    expect(receiver.attempts).toHaveLength(1);
  });

  it('retries a server error, a throttle and an answer that never comes, then delivers', async () => {
    // Prepare
    receiver.answerNext(503, 429, 500, 'stall', 'stall-body');
    const send = putResponse({ baseDelayMs: 1, attemptTimeoutMs: 100 });

    // Act
    await send(receiver.url, body, PLENTY);

    // Assess
    expect(receiver.attempts.map(({ answer }) => answer)).toEqual([
      503,
      429,
      500,
      'stall',
      'stall-body',
      200,
    ]);
    expect(receiver.received.map(({ body: sent }) => sent)).toEqual([body]);
  });

  it('waits a backoff before each retry that doubles from the base up to the cap', async () => {
    // Prepare: the jitter at its top, so each wait is the whole ceiling
    vi.spyOn(Math, 'random').mockReturnValue(1);
    receiver.answerNext(503, 503, 503);

    // Act
    await putResponse({ baseDelayMs: 40, maxDelayMs: 120 })(receiver.url, body, PLENTY);

    // Assess: at least 80, 120 (capped from 160) and 120 ms between attempts
    const arrivals = receiver.attempts.map(({ at }) => at);
    const gaps = arrivals.slice(1).map((at, index) => at - (arrivals[index] ?? at));
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(79);
    expect(gaps[1]).toBeGreaterThanOrEqual(119);
    expect(gaps[2]).toBeGreaterThanOrEqual(119);
  });

  it('gives up after its attempts, naming the last error and keeping it as the cause', async () => {
    // Prepare
    receiver.failNext(10, 503);

    // Act
    const error = await putResponse({ attempts: 3, baseDelayMs: 1 })(
      receiver.url,
      body,
      PLENTY,
    ).then(
      () => undefined,
      (rejected: unknown) => rejected as Error,
    );

    // Assess
    expect(receiver.attempts).toHaveLength(3);
    expect(error?.message).toBe(
      `Could not send the response to ${redactUrl(receiver.url)}: the response URL answered HTTP 503`,
    );
    expect(error?.cause).toEqual(new Error('the response URL answered HTTP 503'));
  });

  it.each([400, 403, 404, 300])('does not retry HTTP %i', async (status) => {
    receiver.failNext(10, status);

    await expect(putResponse({ baseDelayMs: 1 })(receiver.url, body, PLENTY)).rejects.toThrow(
      `the response URL answered HTTP ${status}`,
    );

    expect(receiver.attempts).toHaveLength(1);
  });

  it('bounds each attempt by its timeout when the URL never answers', async () => {
    receiver.answerNext('stall', 'stall', 'stall');

    await expect(
      putResponse({ attempts: 2, baseDelayMs: 1, attemptTimeoutMs: 100 })(
        receiver.url,
        body,
        PLENTY,
      ),
    ).rejects.toThrow(
      `Could not send the response to ${redactUrl(receiver.url)}: the response URL did not answer within 100 ms`,
    );

    expect(receiver.attempts).toHaveLength(2);
  });

  it('counts an answer cut off halfway as not delivered', async () => {
    receiver.answerNext('cut-body');

    const error = await putResponse({ attempts: 1 })(receiver.url, body, PLENTY).then(
      () => undefined,
      (rejected: unknown) => rejected as Error,
    );

    expect(error?.message).toBe(
      `Could not send the response to ${redactUrl(receiver.url)}: the response URL stopped answering`,
    );
    await putResponse({ baseDelayMs: 1 })(receiver.url, body, PLENTY);
    expect(receiver.received).toHaveLength(1);
  });

  it('leaves no timer behind once an attempt is over', async () => {
    // Prepare: only the timers are fake; the request itself goes over loopback
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

    // Act
    await putResponse()(receiver.url, body, PLENTY);

    // Assess
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bounds an attempt whose answer starts and never ends', async () => {
    receiver.answerNext('stall-body');

    await expect(
      putResponse({ attempts: 1, attemptTimeoutMs: 100 })(receiver.url, body, PLENTY),
    ).rejects.toThrow('the response URL did not answer within 100 ms');
  });

  it('gives an attempt no longer than the time left in the budget', async () => {
    // Prepare: 150 ms left, though an attempt may take 10 s; then no time for another
    receiver.answerNext('stall');

    // Act
    const error = await putResponse({ attemptTimeoutMs: 10_000 })(
      receiver.url,
      body,
      scripted(150, 0),
    ).then(
      () => undefined,
      (rejected: unknown) => rejected as Error,
    );

    // Assess
    expect(receiver.attempts).toHaveLength(1);
    expect(error?.message).toBe(
      `Could not send the response to ${redactUrl(receiver.url)}: the response URL did not answer within 150 ms; no time was left for another attempt before the function's timeout`,
    );
  });

  it('does not start a retry that could not finish: its backoff and the shortest attempt must fit', async () => {
    // Prepare: the backoff at its top (4 s before the second attempt); 4.15 s left after the
    // first attempt leaves 150 ms for the second, under the shortest attempt of 200 ms.
    vi.spyOn(Math, 'random').mockReturnValue(1);
    receiver.answerNext(503);

    // Act
    const started = performance.now();
    const error = await putResponse({ baseDelayMs: 2_000, minAttemptMs: 200 })(
      receiver.url,
      body,
      scripted(10_000, 4_150),
    ).then(
      () => undefined,
      (rejected: unknown) => rejected as Error,
    );

    // Assess: the one attempt, and no 4 s wait for a retry that could not be made
    expect(receiver.attempts).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(error?.message).toBe(
      `Could not send the response to ${redactUrl(receiver.url)}: the response URL answered HTTP 503; no time was left for another attempt before the function's timeout`,
    );
  });

  it('retries when the backoff and the shortest attempt just fit', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.1);
    receiver.answerNext(503);

    await putResponse({ minAttemptMs: 200 })(receiver.url, body, scripted(10_000, 250, 10_000));

    expect(receiver.attempts.map(({ answer }) => answer)).toEqual([503, 200]);
  });

  it('makes no attempt at all when no time is left', async () => {
    const error = await putResponse()(receiver.url, body, scripted(0)).then(
      () => undefined,
      (rejected: unknown) => rejected as Error,
    );

    expect(receiver.attempts).toHaveLength(0);
    expect(error?.message).toBe(
      `Could not send the response to ${redactUrl(receiver.url)}: no attempt was made; no time was left for another attempt before the function's timeout`,
    );
  });

  it('keeps a ResponseURL that is not a URL out of its error', async () => {
    const error = await putResponse()('https//bucket/x?X-Amz-Signature=s3cr3t', body, PLENTY).then(
      () => undefined,
      (rejected: unknown) => rejected as Error,
    );

    expect(error?.message).toBe(
      'Could not send the response: the ResponseURL (unparseable URL) is not a URL',
    );
    expect(error?.cause).toBeUndefined();
    expect(JSON.stringify(Object.entries(error ?? {}))).not.toContain('s3cr3t');
  });

  it('reports a URL nobody listens on', async () => {
    // Prepare: a port that was free a moment ago
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });

    // Act, Assess
    await expect(
      putResponse({ attempts: 2, baseDelayMs: 1 })(
        `http://127.0.0.1:${port}/r?sig=1`,
        body,
        PLENTY,
      ),
    ).rejects.toThrow(
      `Could not send the response to http://127.0.0.1:${port}/r: connect ECONNREFUSED`,
    );
  });
});

describe('Function: putResponse, over HTTPS as CloudFormation URLs are', () => {
  let receiver: ResponseReceiver;
  const trusted = globalAgent.options.ca;

  beforeAll(
    async () => {
      // Prepare: a certificate for 127.0.0.1, trusted by this process alone
      const pem = execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
          ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
          ...['-keyout', '-', '-out', '-'],
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const key =
        /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)?.[0] ?? '';
      const cert =
        /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? '';
      receiver = await startResponseReceiver({ tls: { key, cert } });
      globalAgent.options.ca = cert;
    },
    budgetFor({ process: 1 }),
  );

  afterAll(async () => {
    globalAgent.options.ca = trusted;
    await receiver?.stop();
  });

  it('PUTs over TLS to an https URL', async () => {
    const body = JSON.stringify(response());

    await putResponse()(receiver.url, body, PLENTY);

    expect(receiver.url.startsWith('https://')).toBe(true);
    expect(receiver.received.map((answer) => answer.body)).toEqual([body]);
  });
});
