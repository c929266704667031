import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadBalancerResourceId } from '../shared/arns.js';
import { ec2Client, elbv2Client } from '../shared/aws-clients.js';
import { type Binding, parseBinding } from '../shared/binding.js';
import { looksLikeCustomResourceRequest, runCustomResource } from '../shared/custom-resource.js';
import type { CustomResourceResponse } from '../shared/custom-resource-response.js';
import { abortBeforeDeadline } from '../shared/deadline.js';
import { createLogger, createMetrics } from '../shared/observability.js';
import { type SyncDependencies, type SyncSummary, syncTargetGroups } from './sync.js';
import { syncCustomResource } from './sync-resource.js';

const SERVICE = 'target-group-sync';
const logger = createLogger(SERVICE);
let metrics: Metrics | undefined;

/** Created on first use, so a bad setting fails an invocation with a clear error, not the init. */
const sharedMetrics = (): Metrics => {
  metrics ??= createMetrics(SERVICE);
  return metrics;
};

const dependencies = (): SyncDependencies => ({
  ec2: ec2Client(),
  elbv2: elbv2Client(),
  logger,
  metrics: sharedMetrics(),
});

/**
 * A scheduled or event-driven run stops writing this long before the Lambda deadline, to log and
 * publish what it did; the next run finishes the job.
 */
const STOP_BEFORE_DEADLINE_MS = 5_000;

/** One sync, with its metrics published under the load balancer's dimension. */
async function sync(binding: Binding, signal: AbortSignal): Promise<SyncSummary> {
  const deps = dependencies();
  sharedMetrics().addDimension('LoadBalancer', loadBalancerResourceId(binding.LoadBalancerArn));
  try {
    return await syncTargetGroups(binding, deps, signal);
  } finally {
    sharedMetrics().publishStoredMetrics();
  }
}

const resource = syncCustomResource(sync, dependencies);

/**
 * Entry point for every trigger. A schedule rule's Input and an ENI-event rule's Input are the
 * binding itself; a CloudFormation custom-resource request carries it as its properties. Either
 * way the input is validated once, before any AWS call.
 */
export async function handler(
  event: unknown,
  context: Context,
): Promise<SyncSummary | CustomResourceResponse> {
  logger.addContext(context);
  if (looksLikeCustomResourceRequest(event)) {
    return await runCustomResource(event, context, resource, { logger });
  }
  let binding: Binding;
  try {
    sharedMetrics();
    binding = parseBinding(event);
  } catch (error) {
    logger.error('Invalid input or configuration: nothing was read or written', { error });
    throw error;
  }
  const deadline = abortBeforeDeadline(context, STOP_BEFORE_DEADLINE_MS);
  try {
    return await sync(binding, deadline.signal);
  } finally {
    deadline.dispose();
  }
}
