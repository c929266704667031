/**
 * Elastic Load Balancing ARN shapes, and the one parse of each into the pieces the functions use.
 * AWS names a load balancer's network interfaces `ELB <type>/<name>/<id>`: the ARN's resource part
 * after `loadbalancer/`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html#awselasticloadbalancingv2-resources-for-iam-policies
 */

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?';
const ID = '[0-9a-f]{16}';

const arnPattern = (resource: string): RegExp =>
  new RegExp(`^arn:(${PARTITION}):elasticloadbalancing:(${REGION}):(\\d{12}):${resource}$`);

export const APPLICATION_LOAD_BALANCER_ARN = arnPattern(`loadbalancer/(app)/(${NAME})/(${ID})`);
/**
 * Any application or network load balancer ARN. Network Load Balancer ARNs say `net/`, but the
 * type is checked with the API, so an ARN that says `app/` (as emulators write) is accepted here.
 */
export const LOAD_BALANCER_ARN = arnPattern(`loadbalancer/(app|net)/(${NAME})/(${ID})`);
export const TARGET_GROUP_ARN = arnPattern(`targetgroup/(${NAME})/(${ID})`);

export const ALB_ARN_EXAMPLE =
  'arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID (ID: 16 hex digits)';
export const NLB_ARN_EXAMPLE =
  'arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID (ID: 16 hex digits)';
export const TARGET_GROUP_ARN_EXAMPLE =
  'arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID (ID: 16 hex digits)';

/** Where an Elastic Load Balancing resource lives: what every ARN of the service says. */
export interface ArnLocation {
  /** The whole ARN, as given. */
  readonly arn: string;
  /** `aws`, `aws-cn`, `aws-us-gov`, ... */
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** A load balancer ARN, parsed once by the input schema; every consumer reads these fields. */
export interface LoadBalancerArn extends ArnLocation {
  /** What the ARN says; the type itself is checked with the API (DescribeLoadBalancers). */
  readonly kind: 'app' | 'net';
  readonly name: string;
  /** The 16 hex digits after the name. */
  readonly id: string;
  /** `app/NAME/ID`: the ARN's resource part, and the metrics' `LoadBalancer` dimension. */
  readonly resourceId: string;
  /** `ELB app/NAME/ID`: the exact description AWS gives the load balancer's network interfaces. */
  readonly eniDescription: string;
}

/** The load balancer an ARN names, when it matches `pattern` (one of the two above). */
export function parseLoadBalancerArn(
  text: string,
  pattern: RegExp = LOAD_BALANCER_ARN,
): LoadBalancerArn | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  const [arn, partition, region, account, kind, name, id] = match as unknown as string[];
  const resourceId = `${kind}/${name}/${id}`;
  return {
    arn: arn as string,
    partition: partition as string,
    region: region as string,
    account: account as string,
    kind: kind as 'app' | 'net',
    name: name as string,
    id: id as string,
    resourceId,
    eniDescription: `ELB ${resourceId}`,
  };
}

/** Where a target group ARN points, when it is one. */
export function parseTargetGroupArn(text: string): ArnLocation | undefined {
  const match = TARGET_GROUP_ARN.exec(text);
  if (!match) return undefined;
  const [arn, partition, region, account] = match as unknown as string[];
  return {
    arn: arn as string,
    partition: partition as string,
    region: region as string,
    account: account as string,
  };
}
