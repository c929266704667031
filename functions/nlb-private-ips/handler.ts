import type { Context } from 'aws-lambda';
import { ec2Client, elbv2Client } from '../shared/aws-clients.js';
import { runCustomResource } from '../shared/custom-resource.js';
import type { CustomResourceResponse } from '../shared/custom-resource-response.js';
import { createLogger } from '../shared/observability.js';
import { nlbPrivateIpsResource } from './resource.js';

const logger = createLogger('nlb-private-ips');
const resource = nlbPrivateIpsResource(() => ({ ec2: ec2Client(), elbv2: elbv2Client(), logger }));

/**
 * Entry point: CloudFormation custom-resource requests only. A malformed request is answered
 * FAILED when it has a ResponseURL, and rejected with an error that says why otherwise.
 */
export async function handler(event: unknown, context: Context): Promise<CustomResourceResponse> {
  logger.addContext(context);
  return await runCustomResource(event, context, resource, { logger });
}
