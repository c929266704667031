import { intBetween, randomFor, weighted } from '../prng.js';

/**
 * Which AWS calls the fault proxy spoils, and how: pure functions of the seed and the call, so that
 * a seed reproduces a run's faults, and so that what each fault answers can be tested on its own.
 *
 * The error documents are the ones each service's Query API sends:
 * - EC2: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`, with
 *   `RequestLimitExceeded` when a request is throttled ("Error codes for the Amazon EC2 API", its
 *   example error response and server error codes InternalError and Unavailable:
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html; "Query API request
 *   rate": https://docs.aws.amazon.com/AWSEC2/latest/APIReference/query-api-troubleshooting.html).
 * - ELBv2: `<ErrorResponse xmlns=...><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`,
 *   throttling as `Throttling` "Rate exceeded" with HTTP 400, InternalFailure 500 and
 *   ServiceUnavailable 503 ("Common Errors":
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html; "Request
 *   throttling for the ELB API":
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html).
 */

export const FAULT_KINDS = [
  /** The service's throttling error, as its error document. */
  'throttle',
  /** A 5xx: InternalError / Unavailable (EC2), InternalFailure / ServiceUnavailable (ELBv2). */
  'server-error',
  /** The connection is destroyed before the call reaches the emulator: nothing happened. */
  'drop-before',
  /** The call reaches the emulator, then the connection is destroyed: it happened, unseen. */
  'drop-after',
  /** The call is held a while, then sent on and answered. */
  'slow',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** How often each kind is chosen, relative to the others, when a call is spoiled. */
export type FaultMix = Readonly<Record<FaultKind, number>>;

export const DEFAULT_FAULT_MIX: FaultMix = {
  throttle: 4,
  'server-error': 2,
  'drop-before': 1.5,
  'drop-after': 1.5,
  slow: 1,
};

/** How long a slow answer is held before it is sent on, in milliseconds. */
export const SLOW_MS = { min: 50, max: 400 } as const;

export type Fault =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'drop-before' }
  | { readonly kind: 'drop-after' }
  | { readonly kind: 'server-error'; readonly status: 500 | 503 }
  | { readonly kind: 'slow'; readonly delayMs: number };

export type Service = 'ec2' | 'elbv2';

/** The API versions of the Query requests (`Version=`), which tell the services apart. */
const VERSIONS: Readonly<Record<string, Service>> = {
  '2016-11-15': 'ec2',
  '2015-12-01': 'elbv2',
};

export function serviceOf(params: URLSearchParams): Service | undefined {
  return VERSIONS[params.get('Version') ?? ''];
}

/**
 * The name that keys a call's fate: its action and the name of the target group or load balancer
 * it is about (never the emulator's random ids, so the key is the same in every run of a seed).
 */
export function callLabel(action: string, params: URLSearchParams): string {
  const arn =
    params.get('TargetGroupArn') ??
    params.get('ResourceArns.member.1') ??
    params.get('LoadBalancerArns.member.1') ??
    params.get('TargetGroupArns.member.1') ??
    '';
  // `...:targetgroup/NAME/ID` or `...:loadbalancer/app/NAME/ID`: the NAME.
  const name = arn.split('/').at(-2) ?? '';
  return name === '' ? action : `${action}:${name}`;
}

/**
 * The fault for the `occurrence`-th call (from 1) with this label, or undefined to let it through.
 * `rate` is the share of calls spoiled, from 0 to 1.
 */
export function chooseFault(
  seed: number,
  label: string,
  occurrence: number,
  rate: number,
  mix: FaultMix = DEFAULT_FAULT_MIX,
): Fault | undefined {
  if (!(rate >= 0 && rate <= 1)) {
    throw new RangeError(`fault rate: got ${rate}; expected a share from 0 to 1`);
  }
  const random = randomFor(seed, `fault:${label}#${occurrence}`);
  if (random() >= rate) return undefined;
  const kind = weighted(random, mix);
  switch (kind) {
    case 'server-error':
      return { kind, status: random() < 0.5 ? 500 : 503 };
    case 'slow':
      return { kind, delayMs: intBetween(random, SLOW_MS.min, SLOW_MS.max) };
    default:
      return { kind };
  }
}

export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly body: string;
}

/** What the service answers for a throttled call or a server error. */
export function errorAnswer(
  service: Service,
  fault: Extract<Fault, { kind: 'throttle' | 'server-error' }>,
  requestId: string,
): ErrorAnswer {
  if (service === 'ec2') {
    const [status, code, message] =
      fault.kind === 'throttle'
        ? [503, 'RequestLimitExceeded', 'Request limit exceeded.']
        : fault.status === 500
          ? [500, 'InternalError', 'An internal error has occurred.']
          : [503, 'Unavailable', "The server is overloaded and can't handle the request."];
    return {
      status,
      code,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  const [status, type, code, message] =
    fault.kind === 'throttle'
      ? [400, 'Sender', 'Throttling', 'Rate exceeded']
      : fault.status === 500
        ? [
            500,
            'Receiver',
            'InternalFailure',
            'The request processing has failed because of an unknown error, exception or failure.',
          ]
        : [
            503,
            'Receiver',
            'ServiceUnavailable',
            'The request has failed due to a temporary failure of the server.',
          ];
  return {
    status,
    code,
    body: `<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
