import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { CoreLogger } from './observability.js';

/**
 * The custom-resource runtime both functions use. It answers CloudFormation exactly once for
 * every event: SUCCESS or FAILED, when the work throws, when it hangs until shortly before the
 * Lambda deadline, and when the function's own module failed to initialise. It never throws
 * after answering: CloudFormation invokes asynchronously, and a thrown error would make Lambda run
 * the event again and answer twice.
 */

/** CloudFormation rejects response bodies larger than this. */
export const MAX_RESPONSE_BYTES = 4096;

/** The PhysicalResourceId of a resource whose Create failed; its Delete touches nothing. */
export const CREATE_FAILED_MARKER = 'alb-static-ip:create-failed';

/** Properties CloudFormation adds to every custom resource's ResourceProperties. */
const SERVICE_PROPERTIES = ['ServiceToken', 'ServiceTimeout'];

export type CustomResourceData = Record<string, unknown>;

/** What one request is about, for the resource's operations. */
export interface CustomResourceRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  /** The id the resource has after this request (minted on Create and on replacement). */
  readonly physicalResourceId: string;
  readonly stackId: string;
  readonly logicalResourceId: string;
}

/** One kind of custom resource: its properties schema, its identity and its operations. */
export interface CustomResourceDefinition<Properties> {
  /** A short name used in physical ids, such as `nlb-private-ips`. */
  readonly kind: string;
  /** Validates ResourceProperties, without CloudFormation's ServiceToken and ServiceTimeout. */
  parse(properties: unknown): Properties;
  /** What makes the resource itself: when it changes, an Update replaces the resource. */
  identity(properties: Properties): string;
  create(
    properties: Properties,
    request: CustomResourceRequest,
  ): Promise<CustomResourceData | undefined>;
  update(
    properties: Properties,
    oldProperties: Properties | undefined,
    request: CustomResourceRequest,
  ): Promise<CustomResourceData | undefined>;
  delete(properties: Properties, request: CustomResourceRequest): Promise<void>;
  /** Added to the Reason when the attributes do not fit in a response: what to do instead. */
  readonly dataTooLargeAdvice?: string;
}

export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: CustomResourceData;
}

/** Sends a response body to the presigned ResponseURL. Injectable so tests can watch. */
export type ResponseSender = (responseUrl: string, body: string) => Promise<void>;

export interface RuntimeOptions {
  readonly logger: CoreLogger;
  readonly send?: ResponseSender;
  /** How long before the Lambda deadline to give up and answer FAILED. */
  readonly deadlineMarginMs?: number;
}

const DEFAULT_DEADLINE_MARGIN_MS = 10_000;

/** Whether a Lambda event is a CloudFormation custom-resource request. */
export function isCustomResourceEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  // A primitive has none of the fields, so it fails the checks below as a non-request object does.
  const candidate = (event ?? {}) as Record<string, unknown>;
  return (
    ['Create', 'Update', 'Delete'].includes(candidate.RequestType as string) &&
    typeof candidate.ResponseURL === 'string' &&
    typeof candidate.StackId === 'string' &&
    typeof candidate.RequestId === 'string' &&
    typeof candidate.LogicalResourceId === 'string'
  );
}

/** ResourceProperties without the properties CloudFormation itself adds. */
export function resourceProperties(properties: unknown): Record<string, unknown> {
  if (typeof properties !== 'object' || properties === null) return {};
  return Object.fromEntries(
    Object.entries(properties).filter(([key]) => !SERVICE_PROPERTIES.includes(key)),
  );
}

/**
 * The PhysicalResourceId rules, in one place:
 * - Create mints an id from the stack, the logical id and the resource's identity, so the same
 *   resource always gets the same id;
 * - Update keeps the id, unless the identity changed: then it mints a new one, which tells
 *   CloudFormation to delete the old resource after the new one is in place;
 * - Delete never changes it.
 */
export function physicalResourceIdFor(
  event: CloudFormationCustomResourceEvent,
  kind: string,
  identity: string,
  oldIdentity?: string,
): string {
  if (event.RequestType === 'Delete') return event.PhysicalResourceId;
  if (event.RequestType === 'Update' && oldIdentity === identity) return event.PhysicalResourceId;
  const digest = createHash('sha256')
    .update(`${event.StackId}\n${event.LogicalResourceId}\n${identity}`)
    .digest('hex')
    .slice(0, 16);
  return `${kind}/${event.LogicalResourceId}/${digest}`;
}

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
  // Cut the fewest characters from the front that make the JSON fit. Escaped characters take
  // more bytes in JSON than in the text, so the cut is searched for, not computed.
  // Without Data or a Reason an answer is well under the limit (a physical id is at most 1 KB, the
  // other ids shorter still), so the fallback below is never used.
  // Stryker disable next-line StringLiteral: unreachable, as said above
  const reason = fitted.Reason ?? '';
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
  /** How many times to try in all. */
  readonly attempts?: number;
  /** The backoff before the second attempt is at most this; it doubles with each attempt. */
  readonly baseDelayMs?: number;
  /** No backoff is longer than this. */
  readonly maxDelayMs?: number;
  /** How long one attempt may wait for the URL to answer. */
  readonly attemptTimeoutMs?: number;
}

/**
 * PUTs the body to the presigned URL: an empty content type (the URL was signed without one) and
 * the exact length, over http or https as the URL says. A server error, a 429 or a network error is
 * retried with full-jitter backoff; any other answer outside 2xx is final.
 */
export function putResponse(options: PutOptions = {}): ResponseSender {
  const { attempts = 6, baseDelayMs = 250, maxDelayMs = 5000, attemptTimeoutMs = 10_000 } = options;
  return async (responseUrl, body) => {
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      if (attempt > 0) {
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
      }
      try {
        const status = await putOnce(responseUrl, body, attemptTimeoutMs);
        // Stryker disable next-line ConditionalExpression: Node reports no final status below 200
        if (status >= 200 && status < 300) return;
        lastError = new Error(`the response URL answered HTTP ${status}`);
        if (status < 500 && status !== 429) break;
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(
      `Could not send the response to ${redactUrl(responseUrl)}: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
      { cause: lastError },
    );
  };
}

function putOnce(responseUrl: string, body: string, timeoutMs: number): Promise<number> {
  const url = new URL(responseUrl);
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('the response URL did not answer')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Runs one custom-resource event through a definition and answers CloudFormation exactly once.
 * Resolves with the response that was sent (or that sending failed for); never rejects.
 */
export async function runCustomResource<Properties>(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>,
  definition: CustomResourceDefinition<Properties>,
  options: RuntimeOptions,
): Promise<CustomResourceResponse> {
  const { logger } = options;
  const send = options.send ?? putResponse();
  logger.info('Custom resource request', {
    requestType: event.RequestType,
    resourceType: event.ResourceType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined,
    stackId: event.StackId,
    responseUrl: redactUrl(event.ResponseURL),
  });

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CustomResourceResponse>((resolve) => {
    const remaining = context.getRemainingTimeInMillis();
    const margin = Math.min(options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS, remaining / 2);
    timer = setTimeout(
      () =>
        resolve(
          failed(
            event,
            context,
            new Error(
              `The ${event.RequestType} did not finish before the Lambda function's timeout`,
            ),
          ),
        ),
      Math.max(0, remaining - margin),
    );
  });
  const work = perform(event, definition).catch((error: unknown) => failed(event, context, error));
  const response = await Promise.race([work, deadline]);
  clearTimeout(timer);

  if (response.Status === 'FAILED') {
    logger.error('Custom resource request failed', {
      requestType: event.RequestType,
      logicalResourceId: event.LogicalResourceId,
      reason: response.Reason,
    });
  }
  return await deliver(event, response, { logger, send }, definition.dataTooLargeAdvice);
}

/**
 * Sends the answer, fitted to the size limit, and resolves with what was sent. A failed send is
 * logged, never thrown: a thrown error would make Lambda run the event again.
 */
async function deliver(
  event: CloudFormationCustomResourceEvent,
  response: CustomResourceResponse,
  { logger, send }: { logger: CoreLogger; send: ResponseSender },
  dataTooLargeAdvice?: string,
): Promise<CustomResourceResponse> {
  const body = responseBody(response, dataTooLargeAdvice);
  const sent = JSON.parse(body) as CustomResourceResponse;
  try {
    await send(event.ResponseURL, body);
    logger.info('Custom resource response sent', {
      status: sent.Status,
      physicalResourceId: sent.PhysicalResourceId,
      bytes: Buffer.byteLength(body),
    });
  } catch (error) {
    logger.error('Custom resource response could not be sent', { error });
  }
  return sent;
}

async function perform<Properties>(
  event: CloudFormationCustomResourceEvent,
  definition: CustomResourceDefinition<Properties>,
): Promise<CustomResourceResponse> {
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  const request = (physicalResourceId: string): CustomResourceRequest => ({
    requestType: event.RequestType,
    physicalResourceId,
    stackId: event.StackId,
    logicalResourceId: event.LogicalResourceId,
  });

  if (event.RequestType === 'Delete') {
    const done = {
      ...base,
      Status: 'SUCCESS' as const,
      PhysicalResourceId: event.PhysicalResourceId,
    };
    if (event.PhysicalResourceId === CREATE_FAILED_MARKER) {
      return { ...done, Reason: 'The Create had failed, so there was nothing to delete' };
    }
    // Properties that do not parse could not have created anything; failing here would only
    // leave the stack unable to delete.
    const properties = parseOrUndefined(definition, event.ResourceProperties);
    if (properties === undefined) {
      return { ...done, Reason: 'The properties are not valid, so nothing was made to delete' };
    }
    await definition.delete(properties, request(event.PhysicalResourceId));
    return done;
  }

  const properties = definition.parse(resourceProperties(event.ResourceProperties));
  const identity = definition.identity(properties);
  let data: CustomResourceData | undefined;
  let physicalResourceId: string;
  if (event.RequestType === 'Create') {
    physicalResourceId = physicalResourceIdFor(event, definition.kind, identity);
    data = await definition.create(properties, request(physicalResourceId));
  } else {
    const oldProperties = parseOrUndefined(definition, event.OldResourceProperties);
    const oldIdentity =
      oldProperties === undefined ? undefined : definition.identity(oldProperties);
    physicalResourceId = physicalResourceIdFor(event, definition.kind, identity, oldIdentity);
    data = await definition.update(properties, oldProperties, request(physicalResourceId));
  }
  // Data left undefined is not in the JSON that CloudFormation receives.
  return { ...base, Status: 'SUCCESS', PhysicalResourceId: physicalResourceId, Data: data };
}

function parseOrUndefined<Properties>(
  definition: CustomResourceDefinition<Properties>,
  properties: unknown,
): Properties | undefined {
  try {
    return definition.parse(resourceProperties(properties));
  } catch {
    // Properties that do not parse describe nothing the resource could have made.
  }
  return undefined;
}

/**
 * A FAILED answer. A failed Create gets the marker id, whose later Delete is a no-op; an Update or
 * Delete keeps the id it had. The Reason ends with the log stream, so both survive truncation.
 */
export function failed(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'logStreamName'>,
  error: unknown,
): CustomResourceResponse {
  const message = error instanceof Error ? error.message : String(error);
  return {
    Status: 'FAILED',
    Reason: `${message} (log stream: ${context.logStreamName})`,
    PhysicalResourceId:
      event.RequestType === 'Create' ? CREATE_FAILED_MARKER : event.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
}

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Wraps a function's entry point so that a failure while loading its module (bad configuration,
 * a broken import) still answers a custom-resource event with FAILED instead of leaving the stack
 * waiting. Other events see the load error as the invocation's error.
 */
export function withInitGuard(
  load: () => Promise<{ handler: LambdaHandler }>,
  options: { logger: CoreLogger; send?: ResponseSender },
): LambdaHandler {
  const loading = load();
  // Keep an early rejection from being reported as unhandled before the first event arrives.
  loading.catch(() => undefined);
  return async (event, context) => {
    let module: { handler: LambdaHandler };
    try {
      module = await loading;
    } catch (error) {
      if (!isCustomResourceEvent(event)) throw error;
      options.logger.error('The function failed to initialise', { error });
      return await deliver(event, failed(event, context, error), {
        logger: options.logger,
        send: options.send ?? putResponse(),
      });
    }
    return module.handler(event, context);
  };
}
