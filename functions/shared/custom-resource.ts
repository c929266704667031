import { createHash } from 'node:crypto';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { boundList, boundText } from './bounded-text.js';
import {
  type CustomResourceData,
  type CustomResourceResponse,
  putResponse,
  type ResponseSender,
  redactUrl,
  responseBody,
  type SendBudget,
} from './custom-resource-response.js';
import { InvalidInputError, messageOf } from './errors.js';
import type { CoreLogger } from './observability.js';

/**
 * The custom-resource runtime both functions use. Its promises:
 * - Every event that carries a ResponseURL gets exactly one answer: SUCCESS or FAILED, when the
 *   request is malformed, when the work throws, when it is still running shortly before the Lambda
 *   deadline, and when the function's own module failed to load. It never throws after answering:
 *   CloudFormation invokes asynchronously, and a thrown error would make Lambda run it again.
 * - The answer is sent before the function's timeout: the work is stopped early enough to leave
 *   time for it, and every attempt to send it fits in what is left.
 * - Nothing is written after the answer: when the deadline answer goes out, the signal every
 *   operation receives is aborted, which stops calls in flight and refuses new writes.
 * - A Delete acts only on a physical id this runtime minted for that stack and logical id; any other
 *   id is deleted successfully without touching anything.
 */

/** The PhysicalResourceId of a resource whose properties were invalid on Create: it made nothing. */
export const CREATE_FAILED_MARKER = 'alb-static-ip:create-failed';

/** Properties CloudFormation adds to every custom resource's ResourceProperties. */
const SERVICE_PROPERTIES = ['ServiceToken', 'ServiceTimeout'];

const REQUEST_TYPES = ['Create', 'Update', 'Delete'];

/** How long before the Lambda deadline the work is stopped by default, to answer in time. */
const DEFAULT_DEADLINE_MARGIN_MS = 10_000;
/** The answer must be sent this long before the Lambda deadline, at the most 1 s. */
const SAFETY_MARGIN_MS = 1_000;
/** Text from the request that goes into a log line is cut to this many characters. */
const LOGGED_FIELD_CHARS = 256;
/** How many problems of a malformed request are named. */
const PROBLEMS_SHOWN = 5;

/** What one request is about, for the resource's operations. */
export interface CustomResourceRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  /**
   * The id the resource has once this request succeeds (minted on Create and on replacement). A
   * failed Update answers with the id it was sent instead (`failedPhysicalResourceIdFor`).
   */
  readonly physicalResourceId: string;
  /**
   * An Update under a newly minted id: its owner is new too. Should it fail, it answers with the id
   * it was sent, and CloudFormation never deletes the new one, so whatever it wrote as that owner
   * is its own to take back before it answers.
   */
  readonly replacing: boolean;
  /**
   * The resource as an owner of what it shares with others: 16 hex digits, the end of its physical
   * id, unique to its stack, logical id and identity.
   */
  readonly owner: string;
  readonly stackId: string;
  readonly logicalResourceId: string;
  /** Aborted when the deadline answer goes out: pass it to every call, check it before writes. */
  readonly signal: AbortSignal;
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

export interface RuntimeOptions {
  readonly logger: CoreLogger;
  readonly send?: ResponseSender;
  /** How long before the Lambda deadline to stop the work and answer FAILED (at most half). */
  readonly deadlineMarginMs?: number;
}

/**
 * Whether an event is meant as a custom-resource request, well formed or not: it has one of the
 * fields only CloudFormation's requests have. Such an event is answered, never treated as a
 * function's other input.
 */
export function looksLikeCustomResourceRequest(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  return ['RequestType', 'ResponseURL', 'ResourceProperties', 'LogicalResourceId'].some(
    (field) => field in event,
  );
}

/** A request that can be answered but not acted on, and what is wrong with it. */
interface MalformedRequest {
  readonly problems: string[];
  /** Undefined when the request has no usable ResponseURL: then nobody can be answered. */
  readonly responseUrl: string | undefined;
  readonly answer: Omit<CustomResourceResponse, 'Status' | 'Reason' | 'Data'>;
}

type ReadRequest =
  | { readonly ok: true; readonly event: CloudFormationCustomResourceEvent }
  | ({ readonly ok: false } & MalformedRequest);

/**
 * Checks the fields every custom-resource request has. A malformed request still gets an answer
 * when its ResponseURL is usable; values from the request are quoted bounded, and the ResponseURL
 * is never quoted, since its query string is a credential.
 */
export function readCustomResourceRequest(event: unknown): ReadRequest {
  const fields = (typeof event === 'object' && event !== null ? event : {}) as Record<
    string,
    unknown
  >;
  const problems: string[] = [];
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    problems.push(`input: got ${quoted(event)}; expected a CloudFormation custom resource request`);
  }
  const requestType = fields.RequestType;
  if (!REQUEST_TYPES.includes(requestType as string)) {
    problems.push(`RequestType: got ${quoted(requestType)}; expected Create, Update or Delete`);
  }
  const responseUrl = usableUrl(fields.ResponseURL);
  if (responseUrl === undefined) {
    problems.push(
      fields.ResponseURL === undefined
        ? 'ResponseURL: got nothing; expected the presigned URL to send the answer to'
        : 'ResponseURL: got a value that is not an http or https URL; expected the presigned URL to send the answer to',
    );
  }
  for (const field of ['StackId', 'RequestId', 'LogicalResourceId']) {
    if (!isText(fields[field])) {
      problems.push(`${field}: got ${quoted(fields[field])}; expected a non-empty string`);
    }
  }
  if (
    (requestType === 'Update' || requestType === 'Delete') &&
    !isText(fields.PhysicalResourceId)
  ) {
    problems.push(
      `PhysicalResourceId: got ${quoted(fields.PhysicalResourceId)}; expected a non-empty string on an Update or a Delete`,
    );
  }
  if (problems.length === 0) {
    return { ok: true, event: event as CloudFormationCustomResourceEvent };
  }
  const echo = (field: string): string => (isText(fields[field]) ? (fields[field] as string) : '');
  return {
    ok: false,
    problems,
    responseUrl,
    answer: {
      PhysicalResourceId: isText(fields.PhysicalResourceId)
        ? (fields.PhysicalResourceId as string)
        : CREATE_FAILED_MARKER,
      StackId: echo('StackId'),
      RequestId: echo('RequestId'),
      LogicalResourceId: echo('LogicalResourceId'),
    },
  };
}

const isText = (value: unknown): boolean => typeof value === 'string' && value !== '';

function usableUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:' ? value : undefined;
}

/** A value from the request as it reads in a message: JSON, at most 100 characters. */
function quoted(value: unknown): string {
  if (value === undefined) return 'nothing';
  return boundText(JSON.stringify(value) ?? String(value), 100);
}

/** ResourceProperties without the properties CloudFormation itself adds. */
export function resourceProperties(properties: unknown): Record<string, unknown> {
  if (typeof properties !== 'object' || properties === null) return {};
  return Object.fromEntries(
    Object.entries(properties).filter(([key]) => !SERVICE_PROPERTIES.includes(key)),
  );
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** 8 hex digits that only this stack and logical id give: the first half of a minted id's end. */
const scopeOf = (stackId: string, logicalResourceId: string): string =>
  sha256(`${stackId}\n${logicalResourceId}`).slice(0, 8);

/**
 * The PhysicalResourceId rules of a successful answer (a failed one's are the next function's). An
 * id is `KIND/LOGICAL-ID/` and 16 hex digits: 8 that the stack and logical id give, 8 that the
 * identity adds. Create and Update both mint it, and the same resource always gets the same id, so:
 * - an Update keeps the id unless the identity changed (or the id is not one this runtime minted
 *   for the resource); then the id is new, and CloudFormation deletes the old resource after;
 * - a Delete never changes it: the runtime answers a Delete with the id it was given.
 */
export function physicalResourceIdFor(
  event: Pick<CloudFormationCustomResourceEvent, 'StackId' | 'LogicalResourceId'>,
  kind: string,
  identity: string,
): string {
  const { StackId: stackId, LogicalResourceId: logicalResourceId } = event;
  const scope = scopeOf(stackId, logicalResourceId);
  const identityPart = sha256(`${stackId}\n${logicalResourceId}\n${identity}`).slice(0, 8);
  return `${kind}/${logicalResourceId}/${scope}${identityPart}`;
}

/**
 * The PhysicalResourceId of a FAILED answer. Every answer about one resource must carry the same
 * id, and an Update answered with another id is taken as a replacement, after which CloudFormation
 * deletes the resource it had:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
 * - a failed Update or Delete answers with the id it was sent, even when the Update would have
 *   replaced the resource under a new one: the resource CloudFormation knows is the one it keeps;
 * - a failed Create answers with the id it minted, so that the rollback Delete releases whatever it
 *   had done, or with the marker when it minted none (its properties were invalid, or the function
 *   did not load), whose Delete touches nothing.
 */
export function failedPhysicalResourceIdFor(
  event: CloudFormationCustomResourceEvent,
  minted: string | undefined,
): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId;
  return minted ?? CREATE_FAILED_MARKER;
}

/**
 * Whether this runtime minted the id for the event's stack and logical id, as a resource of this
 * kind: the only ids whose Delete may act.
 */
export function isMintedFor(
  event: Pick<CloudFormationCustomResourceEvent, 'StackId' | 'LogicalResourceId'>,
  kind: string,
  physicalResourceId: string,
): boolean {
  const prefix = `${kind}/${event.LogicalResourceId}/`;
  if (!physicalResourceId.startsWith(prefix)) return false;
  const end = physicalResourceId.slice(prefix.length);
  return (
    /^[0-9a-f]{16}$/.test(end) && end.startsWith(scopeOf(event.StackId, event.LogicalResourceId))
  );
}

/** The stack name in a CloudFormation stack ARN (`arn:...:stack/NAME/GUID`). */
export function stackNameOf(stackId: string): string {
  return stackId.split(':stack/')[1]?.split('/')[0] ?? stackId;
}

/** The owner that a minted physical id names: its last 16 hex digits. */
export const ownerOf = (physicalResourceId: string): string => physicalResourceId.slice(-16);

/** The time the answer may take to send: until shortly before the Lambda deadline. */
function sendBudget(context: Pick<Context, 'getRemainingTimeInMillis'>): SendBudget {
  const safety = Math.min(SAFETY_MARGIN_MS, context.getRemainingTimeInMillis() / 10);
  return { timeLeftMs: () => context.getRemainingTimeInMillis() - safety };
}

/** What the runtime decided to do with a well-formed request, before any work. */
type Plan<Properties> =
  | { readonly kind: 'fail'; readonly physicalResourceId: string; readonly error: unknown }
  | { readonly kind: 'skip'; readonly physicalResourceId: string; readonly reason: string }
  | {
      readonly kind: 'run';
      readonly physicalResourceId: string;
      readonly properties: Properties;
      readonly oldProperties: Properties | undefined;
    };

function planRequest<Properties>(
  event: CloudFormationCustomResourceEvent,
  definition: CustomResourceDefinition<Properties>,
): Plan<Properties> {
  if (event.RequestType === 'Delete') {
    const id = event.PhysicalResourceId;
    if (id === CREATE_FAILED_MARKER) {
      return {
        kind: 'skip',
        physicalResourceId: id,
        reason: 'The Create had failed, so there was nothing to delete',
      };
    }
    if (!isMintedFor(event, definition.kind, id)) {
      return {
        kind: 'skip',
        physicalResourceId: id,
        reason: `The physical id ${boundText(id, LOGGED_FIELD_CHARS)} is not one this function made for logical id ${boundText(event.LogicalResourceId, LOGGED_FIELD_CHARS)} of this stack, so nothing was deleted`,
      };
    }
    // Properties that do not parse could not have made anything; failing here would only leave
    // the stack unable to delete.
    const properties = parseOrUndefined(definition, event.ResourceProperties);
    if (properties === undefined) {
      return {
        kind: 'skip',
        physicalResourceId: id,
        reason: 'The properties are not valid, so nothing was made to delete',
      };
    }
    return { kind: 'run', physicalResourceId: id, properties, oldProperties: undefined };
  }
  let properties: Properties;
  try {
    properties = definition.parse(resourceProperties(event.ResourceProperties));
  } catch (error) {
    return {
      kind: 'fail',
      physicalResourceId: failedPhysicalResourceIdFor(event, undefined),
      error,
    };
  }
  return {
    kind: 'run',
    physicalResourceId: physicalResourceIdFor(
      event,
      definition.kind,
      definition.identity(properties),
    ),
    properties,
    // The old properties matter to an Update's operation, not to the id; a Create has none.
    oldProperties: parseOrUndefined(
      definition,
      (event as { OldResourceProperties?: unknown }).OldResourceProperties,
    ),
  };
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
 * Runs one custom-resource event through a definition and answers CloudFormation exactly once.
 * Resolves with the response that was sent (or that sending failed for). Throws only when the event
 * has no usable ResponseURL, so that no answer can be sent at all.
 */
export async function runCustomResource<Properties>(
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>,
  definition: CustomResourceDefinition<Properties>,
  options: RuntimeOptions,
): Promise<CustomResourceResponse> {
  const { logger } = options;
  const send = options.send ?? putResponse();
  const request = readCustomResourceRequest(event);
  if (!request.ok) return await answerMalformed(request, context, { logger, send });
  const checked = request.event;
  logger.info('Custom resource request', {
    requestType: checked.RequestType,
    resourceType: boundText(String(checked.ResourceType), LOGGED_FIELD_CHARS),
    logicalResourceId: boundText(checked.LogicalResourceId, LOGGED_FIELD_CHARS),
    physicalResourceId:
      'PhysicalResourceId' in checked
        ? boundText(checked.PhysicalResourceId, LOGGED_FIELD_CHARS)
        : undefined,
    stackId: boundText(checked.StackId, LOGGED_FIELD_CHARS),
    responseUrl: redactUrl(checked.ResponseURL),
  });
  // Read now: the time left shrinks while the work runs.
  const budget = sendBudget(context);
  const response = await respond(checked, context, definition, options);
  if (response.Status === 'FAILED') {
    logger.error('Custom resource request failed', {
      requestType: checked.RequestType,
      logicalResourceId: boundText(checked.LogicalResourceId, LOGGED_FIELD_CHARS),
      reason: response.Reason,
    });
  }
  return await deliver(
    checked.ResponseURL,
    response,
    { logger, send, budget },
    definition.dataTooLargeAdvice,
  );
}

/** The answer to a well-formed request: its plan carried out. */
async function respond<Properties>(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>,
  definition: CustomResourceDefinition<Properties>,
  options: RuntimeOptions,
): Promise<CustomResourceResponse> {
  const plan = planRequest(event, definition);
  switch (plan.kind) {
    case 'run':
      return await raceTheDeadline(event, context, definition, plan, options);
    case 'skip':
      options.logger.info('Nothing to do for this request', { reason: plan.reason });
      return {
        ...echoOf(event),
        Status: 'SUCCESS',
        PhysicalResourceId: plan.physicalResourceId,
        Reason: plan.reason,
      };
    case 'fail':
      return failed(event, context, plan.error, plan.physicalResourceId);
  }
}

/**
 * Runs the operation against a timer that answers FAILED while there is still time to send the
 * answer. When the timer wins, the operation's signal is aborted before the answer is built, so
 * that the operation writes nothing more.
 */
async function raceTheDeadline<Properties>(
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>,
  definition: CustomResourceDefinition<Properties>,
  plan: Extract<Plan<Properties>, { kind: 'run' }>,
  options: RuntimeOptions,
): Promise<CustomResourceResponse> {
  const { physicalResourceId } = plan;
  const failedId = failedPhysicalResourceIdFor(event, physicalResourceId);
  const controller = new AbortController();
  const request: CustomResourceRequest = {
    requestType: event.RequestType,
    physicalResourceId,
    replacing: event.RequestType === 'Update' && physicalResourceId !== event.PhysicalResourceId,
    owner: ownerOf(physicalResourceId),
    stackId: event.StackId,
    logicalResourceId: event.LogicalResourceId,
    signal: controller.signal,
  };
  const remaining = context.getRemainingTimeInMillis();
  const margin = Math.min(options.deadlineMarginMs ?? DEFAULT_DEADLINE_MARGIN_MS, remaining / 2);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CustomResourceResponse>((resolve) => {
    timer = setTimeout(
      () => {
        const error = new Error(
          `The ${event.RequestType} did not finish before the Lambda function's timeout`,
        );
        controller.abort(error);
        resolve(failed(event, context, error, failedId));
      },
      Math.max(0, remaining - margin),
    );
  });
  const work = operate(definition, plan, request).then(
    (data): CustomResourceResponse => ({
      ...echoOf(event),
      Status: 'SUCCESS',
      PhysicalResourceId: physicalResourceId,
      // Data left undefined is not in the JSON that CloudFormation receives.
      Data: data,
    }),
    (error: unknown) => failed(event, context, error, failedId),
  );
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function operate<Properties>(
  definition: CustomResourceDefinition<Properties>,
  plan: Extract<Plan<Properties>, { kind: 'run' }>,
  request: CustomResourceRequest,
): Promise<CustomResourceData | undefined> {
  switch (request.requestType) {
    case 'Create':
      return definition.create(plan.properties, request);
    case 'Update':
      return definition.update(plan.properties, plan.oldProperties, request);
    default:
      return definition.delete(plan.properties, request).then(() => undefined);
  }
}

const echoOf = (event: CloudFormationCustomResourceEvent) => ({
  StackId: event.StackId,
  RequestId: event.RequestId,
  LogicalResourceId: event.LogicalResourceId,
});

/**
 * A FAILED answer with the given physical id (see `failedPhysicalResourceIdFor`). The Reason ends
 * with the log stream, so both survive truncation.
 */
export function failed(
  event: Pick<CloudFormationCustomResourceEvent, 'StackId' | 'RequestId' | 'LogicalResourceId'>,
  context: Pick<Context, 'logStreamName'>,
  error: unknown,
  physicalResourceId: string,
): CustomResourceResponse {
  return {
    Status: 'FAILED',
    Reason: `${messageOf(error)} (log stream: ${context.logStreamName})`,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
}

/**
 * A malformed request: answered FAILED when it has a usable ResponseURL, otherwise thrown with an
 * error that says it could not be answered. `cause` is why the request could not be run at all,
 * when there is such a reason besides its own problems (the module failed to load).
 */
async function answerMalformed(
  request: MalformedRequest,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>,
  { logger, send }: { logger: CoreLogger; send: ResponseSender },
  cause?: unknown,
): Promise<CustomResourceResponse> {
  const problems = boundList(request.problems, PROBLEMS_SHOWN);
  const reason = cause instanceof Error ? `${cause.message}; ${problems}` : problems;
  if (request.responseUrl === undefined) {
    const error = new InvalidInputError([
      `a custom resource request without a usable ResponseURL cannot be answered; ${reason}`,
    ]);
    logger.error('Malformed custom resource request with nothing to answer to', { error });
    throw error;
  }
  logger.error('Malformed custom resource request', {
    problems,
    responseUrl: redactUrl(request.responseUrl),
  });
  return await deliver(
    request.responseUrl,
    failed(
      request.answer,
      context,
      `Invalid request: ${reason}`,
      request.answer.PhysicalResourceId,
    ),
    { logger, send, budget: sendBudget(context) },
  );
}

/**
 * Sends the answer, fitted to the size limit, and resolves with what was sent. A failed send is
 * logged, never thrown: a thrown error would make Lambda run the event again.
 */
async function deliver(
  responseUrl: string,
  response: CustomResourceResponse,
  { logger, send, budget }: { logger: CoreLogger; send: ResponseSender; budget: SendBudget },
  dataTooLargeAdvice?: string,
): Promise<CustomResourceResponse> {
  const body = responseBody(response, dataTooLargeAdvice);
  const sent = JSON.parse(body) as CustomResourceResponse;
  try {
    await send(responseUrl, body, budget);
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

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Wraps a function's entry point so that a failure while loading its module (bad configuration,
 * a broken import) still answers a custom-resource request with FAILED instead of leaving the stack
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
      if (!looksLikeCustomResourceRequest(event)) throw error;
      const { logger } = options;
      logger.error('The function failed to initialise', { error });
      const send = options.send ?? putResponse();
      const request = readCustomResourceRequest(event);
      if (!request.ok) return await answerMalformed(request, context, { logger, send }, error);
      const answered = request.event;
      const id = failedPhysicalResourceIdFor(answered, undefined);
      return await deliver(answered.ResponseURL, failed(answered, context, error, id), {
        logger,
        send,
        budget: sendBudget(context),
      });
    }
    return module.handler(event, context);
  };
}
