import type { Context } from 'aws-lambda';
import {
  discoveryClientsFor,
  ec2Client,
  elbv2Client,
  stsAssumeRole,
} from '../shared/aws-clients.js';
import { type Binding, parseBinding } from '../shared/binding.js';
import { looksLikeCustomResourceRequest, runCustomResource } from '../shared/custom-resource.js';
import type { CustomResourceResponse } from '../shared/custom-resource-response.js';
import { abortBeforeDeadline } from '../shared/deadline.js';
import { onlyInAccounts, readDiscoveryAccounts } from '../shared/discovery-accounts.js';
import { createLogger, createMetrics, readEnvironment } from '../shared/observability.js';
import { runSync, type SyncSummary } from './sync.js';
import { syncCustomResource } from './sync-resource.js';

// Made once per container, when the module loads. The environment is checked here, once: a bad
// setting fails the load, and the init guard in index.ts answers a custom-resource request with the
// reason (and any other event gets it as the invocation's error).
const SERVICE = 'target-group-sync';
const environment = readEnvironment(process.env);
const logger = createLogger(SERVICE);
const deps = {
  ec2: ec2Client(),
  elbv2: elbv2Client(),
  logger,
  metrics: createMetrics(SERVICE, environment),
  checkedLoadBalancers: new Set<string>(),
  // An ALB in another account: its role's session is kept for the container's life, and renewed;
  // only a role in an account the environment allows is ever assumed (discovery-accounts.ts).
  discoveryClients: onlyInAccounts(
    discoveryClientsFor(stsAssumeRole(), 'alb-static-ip-target-group-sync'),
    readDiscoveryAccounts(process.env),
  ),
};
const resource = syncCustomResource(deps);

/**
 * A scheduled or event-driven run stops writing this long before the Lambda deadline, to log and
 * publish what it did; the next run finishes the job.
 */
const STOP_BEFORE_DEADLINE_MS = 5_000;

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
    binding = parseBinding(event);
  } catch (error) {
    logger.error('Invalid input: nothing was read or written', { error });
    throw error;
  }
  const deadline = abortBeforeDeadline(context, STOP_BEFORE_DEADLINE_MS);
  try {
    return await runSync(binding, deps, deadline.signal);
  } finally {
    deadline.dispose();
  }
}
