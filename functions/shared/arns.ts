/**
 * Elastic Load Balancing ARN shapes and the pieces derived from them. AWS names a load balancer's
 * network interfaces `ELB <type>/<name>/<id>`: the ARN's resource part after `loadbalancer/`.
 */

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?';
const ID = '[0-9a-f]{16}';

const loadBalancerArnPattern = (type: string): RegExp =>
  new RegExp(
    `^arn:${PARTITION}:elasticloadbalancing:(${REGION}):(\\d{12}):loadbalancer/(${type}/${NAME}/${ID})$`,
  );

export const APPLICATION_LOAD_BALANCER_ARN = loadBalancerArnPattern('app');
/**
 * Any application or network load balancer ARN. Network Load Balancer ARNs say `net/`, but the
 * type is checked with the API, so an ARN that says `app/` (as emulators write) is accepted here.
 */
export const LOAD_BALANCER_ARN = loadBalancerArnPattern('(?:app|net)');
export const TARGET_GROUP_ARN = new RegExp(
  `^arn:${PARTITION}:elasticloadbalancing:(${REGION}):(\\d{12}):targetgroup/${NAME}/${ID}$`,
);

export const ALB_ARN_EXAMPLE =
  'arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID (ID: 16 hex digits)';
export const NLB_ARN_EXAMPLE =
  'arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID (ID: 16 hex digits)';
export const TARGET_GROUP_ARN_EXAMPLE =
  'arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID (ID: 16 hex digits)';

/** `app/NAME/ID` or `net/NAME/ID`: the part of a load balancer ARN after `loadbalancer/`. */
export function loadBalancerResourceId(loadBalancerArn: string): string {
  const marker = ':loadbalancer/';
  const at = loadBalancerArn.indexOf(marker);
  if (at < 0) {
    throw new TypeError(`Not a load balancer ARN: ${JSON.stringify(loadBalancerArn)}`);
  }
  return loadBalancerArn.slice(at + marker.length);
}

/** The exact description AWS gives the load balancer's network interfaces. */
export function eniDescriptionFor(loadBalancerArn: string): string {
  return `ELB ${loadBalancerResourceId(loadBalancerArn)}`;
}

/** The region an Elastic Load Balancing ARN names. */
export function arnRegion(arn: string): string | undefined {
  return arn.split(':')[3];
}

/** The partition an ARN names: `aws`, `aws-cn`, `aws-us-gov`, ... */
export function arnPartition(arn: string): string | undefined {
  return arn.split(':')[1];
}
