import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server standing in for CloudFormation's presigned ResponseURLs, one path per event, each
 * with its own script of answers: 200, a 5xx, or `hang` (the body is read to its end, then nothing
 * is ever answered; the sender's attempt timeout ends it). test/support/response-receiver.ts has one
 * script for all; the soak sends many events and must tell their attempts apart, even one that came
 * late, after the next event had started.
 */
export type ReceiverAnswer = 200 | 500 | 503 | 'hang';

export interface ReceiverAttempt {
  /** When the whole body had arrived (`Date.now()`, the clock of the Lambda context's deadline). */
  readonly at: number;
  readonly answer: ReceiverAnswer;
  readonly body: string;
}

export interface ScriptedReceiver {
  /** A new URL for one event, whose requests get these answers in order, then 200. */
  urlFor(eventId: string, script: readonly ReceiverAnswer[]): string;
  /** Every request that arrived for the event, answered or not. */
  attemptsFor(eventId: string): readonly ReceiverAttempt[];
  stop(): Promise<void>;
}

const PRESIGNED_QUERY = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=soak-signature';

export async function startScriptedReceiver(): Promise<ScriptedReceiver> {
  const events = new Map<string, { script: ReceiverAnswer[]; attempts: ReceiverAttempt[] }>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const eventId = decodeURIComponent(
        new URL(request.url ?? '/', 'http://receiver').pathname.split('/').at(-1) ?? '',
      );
      const event = events.get(eventId);
      const answer = event?.script.shift() ?? (event ? 200 : 404);
      event?.attempts.push({
        at: Date.now(),
        answer: answer as ReceiverAnswer,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (answer === 'hang') return;
      response.writeHead(answer);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor(eventId, script) {
      events.set(eventId, { script: [...script], attempts: [] });
      return `http://127.0.0.1:${port}/cloudformation-response/${encodeURIComponent(eventId)}?${PRESIGNED_QUERY}`;
    },
    attemptsFor: (eventId) => events.get(eventId)?.attempts ?? [],
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
