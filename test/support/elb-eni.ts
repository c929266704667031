/**
 * What EC2 says of every network interface Elastic Load Balancing creates: it is requester-managed,
 * and its requester is `amazon-elb`. A fixture that plays an ELB interface spreads this in; one
 * that leaves it out plays a lookalike that anyone could create with the same description.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/requester-managed-eni.html
 */
export const CREATED_BY_ELB = { RequesterManaged: true, RequesterId: 'amazon-elb' } as const;
