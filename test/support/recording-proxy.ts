import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP proxy in front of the emulator that records every AWS API call the code under
 * test makes (EC2 and ELBv2 speak the query protocol: `Action=...` in a form body), and can answer
 * some calls itself to inject faults such as throttling. Tests read call order and request
 * parameters from here, independently of the SDK.
 */
export interface RecordedCall {
  readonly action: string;
  readonly params: URLSearchParams;
  /** When the call arrived (`performance.now()`). */
  readonly at: number;
}

/**
 * Answers a call instead of the emulator, or holds it (`stall`) until `releaseStalled()`; return
 * undefined to let it through.
 */
export type Fault = (call: RecordedCall) => { status: number; body: string } | 'stall' | undefined;

/** What becomes of a stalled call when the stalled calls are released. */
export type Release = 'send' | 'hold' | { status: number; body: string };

export interface RecordingProxy {
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  /** The recorded actions in order, e.g. ['DescribeLoadBalancers', 'RegisterTargets']. */
  actions(): string[];
  clear(): void;
  inject(fault: Fault | undefined): void;
  /** The calls held by a `stall`, oldest first. */
  stalled(): RecordedCall[];
  /**
   * Sends the stalled calls on to the emulator, as a slow network finally would; `decide` may keep
   * some held, or answer some itself.
   */
  releaseStalled(decide?: (call: RecordedCall) => Release): void;
  stop(): Promise<void>;
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const calls: RecordedCall[] = [];
  let fault: Fault | undefined;
  let stalled: { call: RecordedCall; go: (release: Exclude<Release, 'hold'>) => void }[] = [];

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const params = new URLSearchParams(body.toString('utf8'));
      const call = { action: params.get('Action') ?? '(none)', params, at: performance.now() };
      calls.push(call);
      const injected = fault?.(call);
      if (injected === 'stall') {
        stalled.push({ call, go: (release) => (release === 'send' ? send() : answer(release)) });
        return;
      }
      if (injected) {
        answer(injected);
        return;
      }
      send();
    });
    const answer = (injected: { status: number; body: string }) => {
      if (outgoing.destroyed) return;
      outgoing.writeHead(injected.status, { 'content-type': 'text/xml' });
      outgoing.end(injected.body);
    };
    const send = () => {
      const body = Buffer.concat(chunks);
      if (outgoing.destroyed) return;
      const forward = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: target.host },
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forward.on('error', (error) => {
        outgoing.writeHead(502);
        outgoing.end(String(error));
      });
      forward.end(body);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    actions: () => calls.map((call) => call.action),
    clear: () => {
      calls.length = 0;
    },
    inject: (next) => {
      fault = next;
    },
    stalled: () => stalled.map(({ call }) => call),
    releaseStalled: (decide = () => 'send') => {
      const waiting = stalled;
      stalled = [];
      for (const held of waiting) {
        const release = decide(held.call);
        if (release === 'hold') stalled.push(held);
        else held.go(release);
      }
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** The error document ELBv2 and other query-protocol services send. */
export function queryErrorBody(code: string, message: string): string {
  return `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`;
}
