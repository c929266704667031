import * as z from 'zod/mini';
import { ALB_ARN_EXAMPLE, APPLICATION_LOAD_BALANCER_ARN } from '../shared/arns.js';
import { ROLE_ARN } from '../shared/binding.js';
import { boundText } from '../shared/bounded-text.js';
import { booleanLike, strictObjectOptions, validate } from '../shared/input.js';

/**
 * The properties of one `AlbStaticIp::Bridge`, as the macro receives them: the template as written,
 * before CloudFormation resolves anything. A value is a literal or one of the intrinsic functions a
 * bridge may use (below); a list whose length decides how many resources the bridge makes (one
 * subnet mapping per subnet, one listener per port) must be a literal list, or a `Ref` to a list
 * parameter, whose value the macro reads from `templateParameterValues`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-author.html
 */

/**
 * The intrinsic functions a bridge's values may use; CloudFormation resolves them after the macro.
 * Not `Fn::ImportValue`: "The Fn::ImportValue intrinsic function isn't currently supported in
 * macros" (the considerations of the page above).
 */
export const INTRINSICS = ['Ref', 'Fn::GetAtt', 'Fn::Sub', 'Fn::Join', 'Fn::Select'];

const IMPORT_VALUE = 'Fn::ImportValue';
/** A field name from the input, as a message shows it: at most this many characters. */
const FIELD_CHARS = 64;
/** A value from the input, as a message shows it: at most this many characters. */
const VALUE_CHARS = 200;

/** A value CloudFormation will resolve: an object with one key, an intrinsic function's name. */
export type Intrinsic = { readonly [name: string]: unknown };

export const isIntrinsic = (value: unknown): value is Intrinsic =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 1 &&
  INTRINSICS.includes(Object.keys(value)[0] as string);

/**
 * An intrinsic function, or `expected` as the problem. An object first, so that zod reports a list
 * or a string by the other option of a union (its items, its pattern), not by this one.
 */
const intrinsic = (expected: string) =>
  z.record(z.string(), z.unknown()).check(z.refine(isIntrinsic, { error: expected }));

/** A string matching `pattern`, or an intrinsic function that will make one. */
const stringOr = (pattern: RegExp, expected: string) =>
  z.union([z.string().check(z.regex(pattern, { error: expected })), intrinsic(expected)], {
    error: expected,
  });

const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ALLOCATION_ID = /^eipalloc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
const SCHEDULE = /^(?:rate|cron)\(.+\)$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;
/** 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CIDR =
  /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(?:3[0-2]|[12]?\d)$/;

/** How the ALB's security group admits the NLB: template.yaml's AlbIngressMode. */
export const ALB_INGRESS_MODES = ['private-ips', 'security-group', 'none'] as const;

/** How the NLB reaches the ALB: template.yaml's TargetMode. */
export const TARGET_MODES = ['ip', 'alb'] as const;

/**
 * What the health checks of an alb group take when a bridge gives none: template.yaml's defaults.
 * No default port: each group checks through the ALB's listener on its own port.
 */
export const ALB_HEALTH_CHECK_DEFAULTS = { protocol: 'HTTPS', path: '/' } as const;

/** 1 to 1,024 visible ASCII characters, starting with / (CreateTargetGroup, HealthCheckPath). */
const HEALTH_CHECK_PATH = /^\/[!-~]{0,1023}$/;

const PORT_ERROR = 'expected a port number from 1 to 65535, or an intrinsic function';
/** 1 to 65535, written as CloudFormation may turn a number into a string. */
const PORT_TEXT = /^(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])$/;
/** A port: a number, the same as a string (the expansion writes it as a number), or an intrinsic. */
const port = z.union(
  [
    z
      .number()
      .check(
        z.int({ error: PORT_ERROR }),
        z.gte(1, { error: PORT_ERROR }),
        z.lte(65535, { error: PORT_ERROR }),
      ),
    z.string().check(z.regex(PORT_TEXT, { error: PORT_ERROR })),
    intrinsic(PORT_ERROR),
  ],
  { error: PORT_ERROR },
);

const DELETION_PROTECTION_ERROR =
  'expected true or false, or an intrinsic function such as {"Ref": "NlbDeletionProtection"}';

/** A list as written: literal items, or a reference to a list parameter (counted later). */
const listOf = <Item extends z.ZodMiniType>(item: Item, expected: string) =>
  z.union([z.array(item), intrinsic(expected)], { error: expected });

/** The sync's schedule unless a bridge gives another: template.yaml's SyncSchedule default. */
export const DEFAULT_SCHEDULE = 'rate(1 minute)';

/** How many listeners an NLB may have, and so how many ports one bridge may list. */
export const MAX_PORTS = 50;

export const BridgePropertiesSchema = z.strictObject(
  {
    LoadBalancerArn: stringOr(
      APPLICATION_LOAD_BALANCER_ARN,
      `expected an Application Load Balancer ARN, ${ALB_ARN_EXAMPLE}, or an intrinsic function such as {"Ref": "WebAlb"}`,
    ),
    VpcId: stringOr(
      VPC_ID,
      'expected a VPC id such as vpc-0123456789abcdef0, or an intrinsic function',
    ),
    SubnetIds: listOf(
      stringOr(
        SUBNET_ID,
        'expected a subnet id such as subnet-0123456789abcdef0, or an intrinsic function',
      ),
      'expected a list of subnet ids, or a Ref to a List<AWS::EC2::Subnet::Id> parameter',
    ),
    Ports: listOf(port, 'expected a list of ports, or a Ref to a list parameter'),
    Scheme: z._default(
      z.enum(['internet-facing', 'internal'], { error: 'expected internet-facing or internal' }),
      'internet-facing',
    ),
    ElasticIpAllocationIds: z.optional(
      listOf(
        stringOr(ALLOCATION_ID, 'expected an allocation id such as eipalloc-0123456789abcdef0'),
        'expected a list of Elastic IP allocation ids, one per subnet',
      ),
    ),
    PrivateIpAddresses: z.optional(
      listOf(
        stringOr(IPV4, 'expected an IPv4 address'),
        'expected a list of IPv4 addresses, one per subnet',
      ),
    ),
    AlbSecurityGroupId: z.optional(
      stringOr(SECURITY_GROUP_ID, 'expected a security group id such as sg-0123456789abcdef0'),
    ),
    AlbIngressMode: z._default(
      z.enum(ALB_INGRESS_MODES, { error: `expected one of ${ALB_INGRESS_MODES.join(', ')}` }),
      'private-ips',
    ),
    CertificateArn: z.optional(stringOr(CERTIFICATE_ARN, 'expected an ACM certificate ARN')),
    NlbSecurityGroup: z._default(booleanLike, false),
    NlbClientCidr: z.optional(
      stringOr(CIDR, 'expected an IPv4 CIDR such as 10.0.0.0/16, or an intrinsic function'),
    ),
    // Off unless turned on, as template.yaml's NlbDeletionProtection (which says why): neither a
    // failed deploy's rollback nor the stack's delete can remove a protected NLB. A Ref to a
    // parameter lets a stack in service turn it on, and a tear-down off, without editing it.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-load-balancer-attributes.html#deletion-protection
    NlbDeletionProtection: z._default(
      z.union([booleanLike, intrinsic(DELETION_PROTECTION_ERROR)], {
        error: DELETION_PROTECTION_ERROR,
      }),
      false,
    ),
    // An existing bucket for the NLB's access logs, as template.yaml's NlbAccessLogBucket (which
    // says what its policy must allow). TLS listeners only: refused without CertificateArn
    // (expand.ts), since an NLB writes access logs for TLS listeners only.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
    NlbAccessLogBucket: z.optional(
      stringOr(
        S3_BUCKET,
        'expected an S3 bucket name such as my-nlb-logs, or an intrinsic function',
      ),
    ),
    VpcLink: z._default(booleanLike, false),
    // ip: IP target groups that the pack's sync keeps equal to the ALB's addresses, for an ALB
    // anywhere the NLB can route to. alb: target groups of type alb with the ALB registered once;
    // Elastic Load Balancing follows its addresses, so nothing runs. An ALB target takes TCP
    // listeners only, in the NLB's account and VPC, with an ALB listener on each group's port. A
    // literal, since it decides what the bridge makes.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/application-load-balancer-target.html
    TargetMode: z._default(
      z.enum(TARGET_MODES, { error: `expected one of ${TARGET_MODES.join(', ')}` }),
      'ip',
    ),
    // TargetMode alb only, so no default here: given with ip, they are refused (expand.ts). An alb
    // group checks with HTTP or HTTPS, through the ALB's listener on the health check port (each
    // group's own port unless given) to the ALB's targets; a 200 to 399 answer is healthy.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
    AlbHealthCheckProtocol: z.optional(
      z.enum(['HTTPS', 'HTTP'], { error: 'expected HTTPS or HTTP' }),
    ),
    AlbHealthCheckPort: z.optional(port),
    AlbHealthCheckPath: z.optional(
      stringOr(
        HEALTH_CHECK_PATH,
        'expected a path starting with /, 1 to 1024 visible ASCII characters, or an intrinsic function',
      ),
    ),
    Schedule: z._default(
      stringOr(SCHEDULE, 'expected a schedule expression such as rate(1 minute)'),
      DEFAULT_SCHEDULE,
    ),
    ReactToEniEvents: z._default(booleanLike, true),
    AlarmTopicArn: z.optional(stringOr(TOPIC_ARN, 'expected an SNS topic ARN')),
    // An ALB in another account (README, "An ALB in another account"): the role the pack's sync
    // assumes to read it, and the external id its trust policy requires. The binding checks that
    // the role is in the ALB's account, at run time (the values may be intrinsics here).
    DiscoveryRoleArn: z.optional(
      stringOr(ROLE_ARN, 'expected an IAM role ARN, arn:aws:iam::ACCOUNT:role/alb-static-ip/NAME'),
    ),
    DiscoveryExternalId: z.optional(
      stringOr(EXTERNAL_ID, 'expected 2 to 1224 letters, digits and _+=,.@:/- characters'),
    ),
  },
  strictObjectOptions,
);

export type BridgeProperties = z.output<typeof BridgePropertiesSchema>;

export const BRIDGE_FIELDS = Object.keys(BridgePropertiesSchema.def.shape);

/**
 * The bridge's properties, or the problems with them, each naming the property and the value. A
 * property that uses `Fn::ImportValue` anywhere in its value is refused first, with the reason
 * and what to write instead.
 */
export function readBridgeProperties(
  properties: unknown,
): { ok: true; value: BridgeProperties } | { ok: false; problems: string[] } {
  const imports = Object.entries(properties ?? {}).flatMap(([field, value]) =>
    importValuesIn(value, boundText(field, FIELD_CHARS)),
  );
  if (imports.length > 0) {
    return {
      ok: false,
      problems: imports.map(
        ({ path, value }) =>
          `${path}: got ${boundText(JSON.stringify(value), VALUE_CHARS)}; expected no ${IMPORT_VALUE}, which CloudFormation does not support in macros; pass the value in a template parameter and use {"Ref": "ParameterName"}, or write it out`,
      ),
    };
  }
  return validate(BridgePropertiesSchema, properties ?? {}, BRIDGE_FIELDS);
}

/**
 * Each object in `value` that calls Fn::ImportValue, with its path from the properties
 * (`SubnetIds[1]`, `CertificateArn.Fn::Join[1][0]`).
 */
function importValuesIn(value: unknown, path: string): { path: string; value: unknown }[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => importValuesIn(item, `${path}[${index}]`));
  }
  if (typeof value !== 'object' || value === null) return [];
  if (IMPORT_VALUE in value) return [{ path, value }];
  return Object.entries(value).flatMap(([key, inner]) =>
    importValuesIn(inner, `${path}.${boundText(key, FIELD_CHARS)}`),
  );
}
