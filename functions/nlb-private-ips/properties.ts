import * as z from 'zod/mini';
import { LOAD_BALANCER_ARN, NLB_ARN_EXAMPLE, parseLoadBalancerArn } from '../shared/arns.js';
import { booleanLike, parsedArn, parseInput, strictObjectOptions } from '../shared/input.js';

/**
 * The one input of nlb-private-ips: a custom resource's properties. CloudFormation turns numbers
 * into strings, so ports may arrive as `"443"`.
 */

const PORT_ERROR = 'expected a port number from 1 to 65535';

const port = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\d{1,5}$/, { error: PORT_ERROR }))], {
    error: PORT_ERROR,
  }),
  z.pipe(
    z.transform((value: number | string) => Number(value)),
    z.number().check(z.int(), z.gte(1, { error: PORT_ERROR }), z.lte(65535, { error: PORT_ERROR })),
  ),
);

export const NlbPrivateIpsSchema = z.strictObject(
  {
    LoadBalancerArn: parsedArn(
      LOAD_BALANCER_ARN,
      `expected a Network Load Balancer ARN, ${NLB_ARN_EXAMPLE}`,
      parseLoadBalancerArn,
    ),
    Ports: z.optional(
      z.pipe(
        z.array(port, { error: 'expected a list of port numbers' }),
        z.array(z.number()).check(
          z.minLength(1, {
            error: 'expected at least one port, or no Ports to use the listeners',
          }),
          z.maxLength(50, { error: 'expected at most 50 ports' }),
        ),
      ),
    ),
    SecurityGroupId: z.optional(
      z
        .string({ error: 'expected a security group id such as sg-0123456789abcdef0' })
        .check(z.regex(/^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/)),
    ),
    // false: no IngressRules attribute, for a stack that makes its own rules from Cidrs (the
    // AlbStaticIp macro). The answer then stays small whatever the ports (a custom resource's
    // answer must fit in 4,096 bytes), and no listener is read.
    ReturnIngressRules: z._default(booleanLike, true),
  },
  strictObjectOptions,
);

export type NlbPrivateIpsProperties = z.output<typeof NlbPrivateIpsSchema>;

export function parseNlbPrivateIpsProperties(input: unknown): NlbPrivateIpsProperties {
  return parseInput(NlbPrivateIpsSchema, input, [
    'LoadBalancerArn',
    'Ports',
    'SecurityGroupId',
    'ReturnIngressRules',
  ]);
}
