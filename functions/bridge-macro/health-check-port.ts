import type { BridgeProperties } from './properties.js';

/**
 * TargetMode alb with an AlbHealthCheckPort: whether the health checks need a port of their own in
 * the security groups. The checks leave the NLB by its group's outbound rules and reach the ALB
 * through its group's inbound rules, which the bridge opens on its Ports; a health check port that
 * is none of them needs one more rule in each. Whether it is one of them must be known when the
 * bridge expands, so the ports are read as CloudFormation will resolve them: a number, a port
 * written as text, or a Ref (or an Fn::Select of a Ref) to a parameter of the template, whose value
 * the macro is sent (templateParameterValues).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-author.html
 */

export type HealthCheckPort =
  /** `port`: the one to open beyond Ports, as written; undefined when none is needed. */
  { readonly ok: true; readonly port: unknown } | { readonly ok: false; readonly problem: string };

const PORT_TEXT = /^\d{1,5}$/;

/** The port a value resolves to when the bridge expands, or undefined when it cannot tell. */
export function knownPort(
  value: unknown,
  parameters: Readonly<Record<string, unknown>>,
): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return PORT_TEXT.test(value) ? Number(value) : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { Ref: name, 'Fn::Select': select } = value as Record<string, unknown>;
  if (typeof name === 'string') return knownPort(parameterText(parameters[name]), parameters);
  if (!Array.isArray(select) || select.length !== 2) return undefined;
  const [index, list] = select as [unknown, unknown];
  const listName = (list as { Ref?: unknown } | null)?.Ref;
  if (typeof listName !== 'string' || !PORT_TEXT.test(String(index))) return undefined;
  const given = parameters[listName];
  // A list parameter arrives as a list, or as CloudFormation writes a CommaDelimitedList.
  const items = Array.isArray(given)
    ? given
    : typeof given === 'string'
      ? given.split(',')
      : undefined;
  return knownPort(parameterText(items?.[Number(index)]), parameters);
}

/** A parameter's value as a port may be written in it: text, never a further reference. */
const parameterText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * The health check port to open beyond `ports`, or none: with TargetMode ip or no
 * AlbHealthCheckPort (each group checks its own port), when it is one of the ports, or when no
 * security group of the bridge needs rules. A port it cannot read is a problem only when a group
 * would need the rule.
 */
export function healthCheckPortBeyond(
  properties: BridgeProperties,
  ports: readonly unknown[],
  parameters: Readonly<Record<string, unknown>>,
): HealthCheckPort {
  const given = properties.AlbHealthCheckPort;
  if (properties.TargetMode !== 'alb' || given === undefined) return { ok: true, port: undefined };
  const albGroup =
    properties.AlbSecurityGroupId !== undefined && properties.AlbIngressMode !== 'none';
  if (!properties.NlbSecurityGroup && !albGroup) return { ok: true, port: undefined };
  const checked = knownPort(given, parameters);
  const known = ports.map((port) => knownPort(port, parameters));
  if (checked === undefined || known.includes(undefined)) {
    return {
      ok: false,
      problem: `AlbHealthCheckPort: got ${JSON.stringify(given)} with Ports ${JSON.stringify(properties.Ports)}; expected ports the bridge can read, numbers or Refs to the template's parameters, so that it knows whether the health checks need a rule of their own in the security groups`,
    };
  }
  if (known.includes(checked)) return { ok: true, port: undefined };
  return { ok: true, port: typeof given === 'string' ? checked : given };
}
