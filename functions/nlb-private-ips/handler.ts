import type { Context } from 'aws-lambda';
import { ec2Client, elbv2Client } from '../shared/aws-clients.js';
import {
  type CustomResourceResponse,
  isCustomResourceEvent,
  runCustomResource,
} from '../shared/custom-resource.js';
import { InvalidInputError } from '../shared/errors.js';
import { createLogger } from '../shared/observability.js';
import { nlbPrivateIpsResource } from './resource.js';

const logger = createLogger('nlb-private-ips');
const resource = nlbPrivateIpsResource(() => ({ ec2: ec2Client(), elbv2: elbv2Client(), logger }));

/** Entry point: CloudFormation custom-resource requests only. */
export async function handler(event: unknown, context: Context): Promise<CustomResourceResponse> {
  logger.addContext(context);
  if (!isCustomResourceEvent(event)) {
    const error = new InvalidInputError([
      'input: expected a CloudFormation custom resource request (RequestType, ResponseURL, StackId, RequestId, LogicalResourceId)',
    ]);
    logger.error('Not a custom resource request: nothing was done', { error });
    throw error;
  }
  return await runCustomResource(event, context, resource, { logger });
}
