import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  callLabel,
  chooseFault,
  DEFAULT_FAULT_MIX,
  errorAnswer,
  type Fault,
  type FaultKind,
  type FaultMix,
  serviceOf,
} from './fault-plan.js';

/**
 * A loopback HTTP proxy in front of the emulator that spoils a seeded share of the AWS calls passing
 * through it (see fault-plan.ts for what each fault answers), a sibling of
 * test/support/recording-proxy.ts. It counts the faults by kind and action, and lets a watcher look
 * at every call it is about to send on, before the emulator sees it: the soak's invariants read the
 * emulator there, where no fault can reach them.
 */
export interface ProxiedCall {
  readonly action: string;
  readonly params: URLSearchParams;
  /** The action and the name it is about: what keys the call's fate. */
  readonly label: string;
  /** Which call with this label it is, from 1. */
  readonly occurrence: number;
}

export interface InjectedFault {
  readonly label: string;
  readonly occurrence: number;
  readonly kind: FaultKind;
}

export interface FaultProxyOptions {
  readonly upstream: string;
  readonly seed: number;
  /** The share of calls spoiled, 0 to 1; setRate changes it between runs. */
  readonly rate: number;
  readonly mix?: FaultMix;
  /**
   * Called for every call about to be sent on to the emulator (a call let through, a slow one once
   * its delay is over, and one whose answer is to be dropped), and awaited before sending it.
   */
  readonly beforeForward?: (call: ProxiedCall) => Promise<void>;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Every fault injected, in the order injected. */
  readonly injected: readonly InjectedFault[];
  /** Faults by kind, then by action. */
  counts(): Map<FaultKind, Map<string, number>>;
  /** How many calls arrived, faulted or not. */
  calls(): number;
  setRate(rate: number): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.upstream);
  const mix = options.mix ?? DEFAULT_FAULT_MIX;
  let rate = options.rate;
  chooseFault(options.seed, 'check', 1, rate, mix);
  const occurrences = new Map<string, number>();
  const injected: InjectedFault[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let arrived = 0;

  const forward = (
    incoming: IncomingMessage,
    body: Buffer,
    onAnswer: (status: number, headers: IncomingMessage['headers'], answer: Buffer) => void,
    onError: (error: Error) => void,
  ) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          onAnswer(response.statusCode ?? 502, response.headers, Buffer.concat(chunks)),
        );
        response.on('error', onError);
      },
    );
    upstream.on('error', onError);
    upstream.end(body);
  };

  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer) => {
    arrived += 1;
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '(none)';
    const label = callLabel(action, params);
    const occurrence = (occurrences.get(label) ?? 0) + 1;
    occurrences.set(label, occurrence);
    const service = serviceOf(params);
    const fault: Fault | undefined =
      service === undefined ? undefined : chooseFault(options.seed, label, occurrence, rate, mix);
    if (fault) injected.push({ label, occurrence, kind: fault.kind });
    const call: ProxiedCall = { action, params, label, occurrence };
    const gone = () => outgoing.destroyed || incoming.socket.destroyed;
    const relay = (status: number, headers: IncomingMessage['headers'], answer: Buffer) => {
      if (gone()) return;
      const { 'transfer-encoding': _chunked, ...rest } = headers;
      outgoing.writeHead(status, { ...rest, 'content-length': answer.length });
      outgoing.end(answer);
    };
    const failed = (error: Error) => {
      if (gone()) return;
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(String(error));
    };
    const send = async (after: typeof relay) => {
      if (gone()) return;
      await options.beforeForward?.(call);
      if (gone()) return;
      forward(incoming, body, after, failed);
    };

    switch (fault?.kind) {
      case undefined:
        await send(relay);
        return;
      case 'throttle':
      case 'server-error': {
        const answer = errorAnswer(service ?? 'ec2', fault, randomUUID());
        outgoing.writeHead(answer.status, {
          'content-type': 'text/xml',
          'content-length': Buffer.byteLength(answer.body),
        });
        outgoing.end(answer.body);
        return;
      }
      case 'drop-before':
        incoming.socket.destroy();
        return;
      case 'drop-after':
        await send(() => incoming.socket.destroy());
        return;
      case 'slow': {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, fault.delayMs);
          timers.add(timer);
        });
        await send(relay);
        return;
      }
    }
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      handle(incoming, outgoing, Buffer.concat(chunks)).catch((error: unknown) => {
        if (outgoing.destroyed) return;
        outgoing.writeHead(500, { 'content-type': 'text/plain' });
        outgoing.end(`fault proxy: ${String(error)}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    counts() {
      const byKind = new Map<FaultKind, Map<string, number>>();
      for (const { kind, label } of injected) {
        const action = label.split(':')[0] ?? label;
        const byAction = byKind.get(kind) ?? new Map<string, number>();
        byAction.set(action, (byAction.get(action) ?? 0) + 1);
        byKind.set(kind, byAction);
      }
      return byKind;
    },
    calls: () => arrived,
    setRate(next) {
      chooseFault(options.seed, 'check', 1, next, mix);
      rate = next;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
