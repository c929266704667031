import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that stands in for CloudFormation's presigned response URL: it records
 * every PUT (headers and body) and can answer the first few with an error status.
 */
export interface ReceivedResponse {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: Record<string, unknown>;
}

export interface ResponseReceiver {
  /** A URL with a presigned-looking query string, as CloudFormation sends. */
  readonly url: string;
  readonly received: ReceivedResponse[];
  /** Answer the next `count` requests with `status` instead of 200. */
  failNext(count: number, status: number): void;
  /** Resolves once `count` responses have arrived. */
  waitFor(count: number): Promise<void>;
  stop(): Promise<void>;
}

export const PRESIGNED_QUERY = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=s3cr3t-signature';

export async function startResponseReceiver(): Promise<ResponseReceiver> {
  const received: ReceivedResponse[] = [];
  let failures = { count: 0, status: 200 };
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failures.count > 0) {
        failures = { ...failures, count: failures.count - 1 };
        response.writeHead(failures.status);
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
      response.writeHead(200);
      response.end();
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cloudformation-response/stack/resource?${PRESIGNED_QUERY}`,
    received,
    failNext(count, status) {
      failures = { count, status };
    },
    waitFor(count) {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
