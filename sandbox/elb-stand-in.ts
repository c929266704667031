/**
 * The TypeScript side of moto_elb_enis.py: the tag by which its stand-in plays Elastic Load
 * Balancing creating an interface. CreateNetworkInterface with it in TagSpecifications makes the
 * interface requester-managed by amazon-elb, and the stand-in drops the tag; only the emulator
 * knows it. The sandbox's ALB and the tests' world (test/support/aws-world.ts) both use it.
 */
export const ELB_CREATES_IT = {
  ResourceType: 'network-interface' as const,
  Tags: [{ Key: 'moto-stand-in:requester', Value: 'amazon-elb' }],
};
