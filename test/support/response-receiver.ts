import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * A loopback HTTP or HTTPS server that stands in for CloudFormation's presigned response URL: it
 * records every PUT (headers and body), and can answer the next ones with an error status or not
 * answer them at all.
 */
export interface ReceivedResponse {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: Record<string, unknown>;
}

/**
 * What the receiver does with a request: answer with this HTTP status, never answer (`stall`),
 * start a 200 answer and never finish it (`stall-body`), or start one and hang up (`cut-body`).
 */
export type Answer = number | 'stall' | 'stall-body' | 'cut-body';

/** Every request that arrived, answered or not, with when it arrived (`performance.now()`). */
export interface Attempt {
  readonly at: number;
  readonly answer: Answer;
}

export interface ResponseReceiver {
  /** A URL with a presigned-looking query string, as CloudFormation sends. */
  readonly url: string;
  /** The bodies of the requests answered with a 2xx status: what CloudFormation would have read. */
  readonly received: ReceivedResponse[];
  /** Every request, including those answered with an error or not answered. */
  readonly attempts: Attempt[];
  /** Answer the next requests with these, in order; 200 after them. */
  answerNext(...answers: Answer[]): void;
  /** Answer the next `count` requests with `status` instead of 200. */
  failNext(count: number, status: number): void;
  /** Resolves once `count` responses have arrived. */
  waitFor(count: number): Promise<void>;
  /** Forgets what arrived and what to answer: answers 200 from now on. */
  reset(): void;
  stop(): Promise<void>;
}

export const PRESIGNED_QUERY = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=s3cr3t-signature';

/** With `tls`, an HTTPS receiver serving that key and certificate (for 127.0.0.1). */
export async function startResponseReceiver(
  options: { tls?: { key: string; cert: string } } = {},
): Promise<ResponseReceiver> {
  const received: ReceivedResponse[] = [];
  const attempts: Attempt[] = [];
  let script: Answer[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const handle: Parameters<typeof createHttpServer>[1] = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = script.shift() ?? 200;
      attempts.push({ at: performance.now(), answer });
      if (answer === 'stall') return;
      if (answer === 'stall-body' || answer === 'cut-body') {
        response.writeHead(200, { 'content-length': '100' });
        response.write('partial', () => {
          if (answer === 'cut-body') response.destroy();
        });
        return;
      }
      if (answer < 200 || answer >= 300) {
        response.writeHead(answer);
        response.end();
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // recorded as is; the assertion on `json` will say what was wrong
      }
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        json,
      });
      response.writeHead(answer);
      response.end();
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}/cloudformation-response/stack/resource?${PRESIGNED_QUERY}`,
    received,
    attempts,
    answerNext(...answers) {
      script = [...answers];
    },
    failNext(count, status) {
      script = Array<Answer>(count).fill(status);
    },
    waitFor(count) {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    reset() {
      received.length = 0;
      attempts.length = 0;
      script = [];
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A receiver for the tests of the calling file or suite: started before the first, reset before
 * each, stopped after the last. What it returns reads through to that receiver.
 */
export function receiverForTests(): ResponseReceiver {
  let current: ResponseReceiver | undefined;
  const live = (): ResponseReceiver => {
    if (current === undefined) throw new Error('the receiver is started in beforeAll');
    return current;
  };
  beforeAll(async () => {
    current = await startResponseReceiver();
  });
  afterAll(async () => {
    await current?.stop();
  });
  beforeEach(() => {
    live().reset();
  });
  return {
    get url() {
      return live().url;
    },
    get received() {
      return live().received;
    },
    get attempts() {
      return live().attempts;
    },
    answerNext: (...answers) => live().answerNext(...answers),
    failNext: (count, status) => live().failNext(count, status),
    waitFor: (count) => live().waitFor(count),
    reset: () => live().reset(),
    stop: () => live().stop(),
  };
}
