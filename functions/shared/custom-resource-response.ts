import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * How a custom resource's answer reaches CloudFormation: fitted to the size CloudFormation accepts,
 * then PUT to the presigned ResponseURL within the time the function has left.
 */

/** CloudFormation rejects response bodies larger than this. */
export const MAX_RESPONSE_BYTES = 4096;

export type CustomResourceData = Record<string, unknown>;

export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: CustomResourceData;
}

/** The time a send may take: every attempt, and every wait between attempts, must fit in it. */
export interface SendBudget {
  /** Milliseconds left before the send must be over. */
  timeLeftMs(): number;
}

/** Sends a response body to the presigned ResponseURL within the budget. Injectable for tests. */
export type ResponseSender = (
  responseUrl: string,
  body: string,
  budget: SendBudget,
) => Promise<void>;

/** The URL without its query string, which is a presigned credential and is never logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * The response body, at most 4,096 bytes. Data that does not fit turns the answer into FAILED
 * (CloudFormation would reject it anyway); a long Reason is cut from the front, so its end, where
 * the error is, survives.
 */
export function responseBody(response: CustomResourceResponse, dataTooLargeAdvice = ''): string {
  let body = JSON.stringify(response);
  if (Buffer.byteLength(body) <= MAX_RESPONSE_BYTES) return body;
  let fitted = response;
  if (response.Data !== undefined) {
    const dataBytes = Buffer.byteLength(JSON.stringify(response.Data));
    const { Data: _dropped, ...withoutData } = response;
    fitted = {
      ...withoutData,
      Status: 'FAILED',
      Reason:
        `The resource's attributes (Data) are ${dataBytes} bytes; with the rest of the answer they exceed the ${MAX_RESPONSE_BYTES}-byte limit of a custom resource response. ${dataTooLargeAdvice}`.trim(),
    };
    body = JSON.stringify(fitted);
    if (Buffer.byteLength(body) <= MAX_RESPONSE_BYTES) return body;
  }
  // Without Data or a Reason an answer is well under the limit (a physical id is at most 1 KB, the
  // other ids shorter still), so the fallback below is never used.
  // Stryker disable next-line StringLiteral: unreachable, as said above
  const reason = fitted.Reason ?? '';
  // Cut the fewest characters from the front that make the JSON fit. Escaped characters take
  // more bytes in JSON than in the text, so the cut is searched for, not computed.
  const withCut = (cut: number) => JSON.stringify({ ...fitted, Reason: `...${reason.slice(cut)}` });
  let tooLittle = 0;
  let enough = reason.length;
  while (enough - tooLittle > 1) {
    const middle = Math.floor((tooLittle + enough) / 2);
    if (Buffer.byteLength(withCut(middle)) <= MAX_RESPONSE_BYTES) enough = middle;
    else tooLittle = middle;
  }
  return withCut(enough);
}

export interface PutOptions {
  /** How many times to try at the most. */
  readonly attempts?: number;
  /** The backoff before the second attempt is at most this; it doubles with each attempt. */
  readonly baseDelayMs?: number;
  /** No backoff is longer than this. */
  readonly maxDelayMs?: number;
  /** The longest one attempt may take, request and answer, when the budget allows that much. */
  readonly attemptTimeoutMs?: number;
  /** A retry is not started with less time left than this: it could not finish. */
  readonly minAttemptMs?: number;
}

/**
 * PUTs the body to the presigned URL: an empty content type (the URL was signed without one) and
 * the exact length, over http or https as the URL says. A server error, a 429, a network error or
 * an attempt that runs out of time is retried with full-jitter backoff; any other answer outside
 * 2xx is final. Every attempt and every backoff fit in the budget: no attempt outlives it, and a
 * retry that could not finish in time is not started.
 */
export function putResponse(options: PutOptions = {}): ResponseSender {
  const {
    attempts = 6,
    baseDelayMs = 250,
    maxDelayMs = 5000,
    attemptTimeoutMs = 10_000,
    minAttemptMs = 200,
  } = options;
  return async (responseUrl, body, budget) => {
    const where = redactUrl(responseUrl);
    let url: URL;
    try {
      url = new URL(responseUrl);
    } catch {
      // Node's URL error would carry the whole URL, presigned query and all: it is not kept.
      throw new Error(`Could not send the response: the ResponseURL ${where} is not a URL`);
    }
    let lastError: unknown;
    let outOfTime = false;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      if (attempt > 0) {
        const delay = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
        if (budget.timeLeftMs() - delay < minAttemptMs) {
          outOfTime = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      const timeoutMs = Math.min(attemptTimeoutMs, budget.timeLeftMs());
      if (timeoutMs <= 0) {
        outOfTime = true;
        break;
      }
      try {
        const status = await putOnce(url, body, timeoutMs);
        // Stryker disable next-line ConditionalExpression: Node reports no final status below 200
        if (status >= 200 && status < 300) return;
        lastError = new Error(`the response URL answered HTTP ${status}`);
        if (status < 500 && status !== 429) break;
      } catch (error) {
        lastError = error;
      }
    }
    const last = lastError instanceof Error ? lastError.message : 'no attempt was made';
    throw new Error(
      `Could not send the response to ${where}: ${last}${outOfTime ? "; no time was left for another attempt before the function's timeout" : ''}`,
      { cause: lastError },
    );
  };
}

/** One PUT; it fails if the whole exchange, answer included, takes longer than `timeoutMs`. */
function putOnce(url: URL, body: string, timeoutMs: number): Promise<number> {
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        // 'close' follows the whole answer, or a connection that dropped in the middle of it.
        response.on('close', () => {
          if (response.complete) resolve(response.statusCode ?? 0);
          else reject(new Error('the response URL stopped answering'));
        });
      },
    );
    const timer = setTimeout(() => {
      const error = new Error(`the response URL did not answer within ${timeoutMs} ms`);
      reject(error);
      outgoing.destroy(error);
    }, timeoutMs);
    outgoing.on('close', () => clearTimeout(timer));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
