import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * One client of each kind per Lambda container, created on first use. They take the SDK's default
 * configuration: region, credentials, retry mode (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS) and endpoint
 * (AWS_ENDPOINT_URL, which is how the tests point them at an emulator) all come from the
 * environment. Nothing here is hard-coded.
 */

let ec2: EC2Client | undefined;
let elbv2: ElasticLoadBalancingV2Client | undefined;

export function ec2Client(): EC2Client {
  ec2 ??= new EC2Client({});
  return ec2;
}

export function elbv2Client(): ElasticLoadBalancingV2Client {
  elbv2 ??= new ElasticLoadBalancingV2Client({});
  return elbv2;
}
