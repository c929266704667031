import type { TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';

/** The NLB the unit tests' target groups are attached to. */
export const NLB =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/static/1111111111111111';

/**
 * A target group as DescribeTargetGroups describes one the sync can hold the ALB's IPs in: type ip,
 * port 443, in vpc-1, attached to NLB; `extra` changes any of it.
 */
export const ipTargetGroup = (arn: string, extra: Record<string, unknown> = {}): TargetGroup => ({
  TargetGroupArn: arn,
  TargetType: 'ip',
  Port: 443,
  VpcId: 'vpc-1',
  LoadBalancerArns: [NLB],
  ...extra,
});
