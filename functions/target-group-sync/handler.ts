import type { Context } from 'aws-lambda';
import { loadBalancerResourceId } from '../shared/arns.js';
import { ec2Client, elbv2Client } from '../shared/aws-clients.js';
import { type Binding, parseBinding } from '../shared/binding.js';
import { createLogger, createMetrics } from '../shared/observability.js';
import { type SyncSummary, syncTargetGroups } from './sync.js';

const SERVICE = 'target-group-sync';
const logger = createLogger(SERVICE);
let metrics: ReturnType<typeof createMetrics> | undefined;

/**
 * Entry point for every trigger: a schedule rule's Input and an ENI-event rule's Input are both the
 * binding itself. The input is validated once, before any AWS call.
 */
export async function handler(event: unknown, context?: Context): Promise<SyncSummary> {
  if (context) logger.addContext(context);
  // Created on first use so a bad setting fails the invocation with a clear error, not the init.
  metrics ??= createMetrics(SERVICE);
  let binding: Binding;
  try {
    binding = parseBinding(event);
  } catch (error) {
    logger.error('Invalid input: nothing was read or written', { error });
    throw error;
  }
  metrics.addDimension('LoadBalancer', loadBalancerResourceId(binding.LoadBalancerArn));
  try {
    return await syncTargetGroups(binding, {
      ec2: ec2Client(),
      elbv2: elbv2Client(),
      logger,
      metrics,
    });
  } finally {
    metrics.publishStoredMetrics();
  }
}
