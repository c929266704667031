import { PSEUDO_PARAMETERS, type Resource, type Template } from './cloudformation.js';

/**
 * Deploys a (transformed) template on paper: evaluates its conditions for the given parameter
 * values, keeps the resources and outputs whose condition holds, and resolves their intrinsic
 * functions. A Ref to a resource becomes a made-up value of the right shape (a target group ARN
 * for a target group, a load balancer ARN for a load balancer), and Fn::GetAtt becomes
 * `Logical.Attribute`, so tests can check what points where. Anything it does not know throws.
 */

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export interface Deployment {
  readonly conditions: Record<string, boolean>;
  readonly resources: Record<
    string,
    { Type: string; Properties: Record<string, Value>; DependsOn?: Value }
  >;
  readonly outputs: Record<string, Value>;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** A made-up but well-formed physical id for a resource, by logical id and type. */
export function fakeRef(logicalId: string, resource: Resource): string {
  const hex = [...logicalId]
    .reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 2 ** 48, 7)
    .toString(16);
  const id = hex.padStart(16, '0').slice(-16);
  const name = logicalId.toLowerCase().slice(0, 32);
  if (resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup') {
    return `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/${id}`;
  }
  if (resource.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
    return `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/${name}/${id}`;
  }
  return `${logicalId}-ref`;
}

export function deploy(template: Template, parameters: Record<string, string>): Deployment {
  const resources = template.Resources;
  const parameter = (name: string): Value => {
    const pseudo = PSEUDO_PARAMETERS[name];
    if (pseudo !== undefined) return pseudo;
    const declared = template.Parameters?.[name];
    if (declared === undefined) {
      const resource = resources[name];
      if (resource) return fakeRef(name, resource);
      throw new Error(`cannot resolve Ref ${name}`);
    }
    const text = String(parameters[name] ?? declared.Default ?? '');
    if (parameters[name] === undefined && declared.Default === undefined) {
      throw new Error(`parameter ${name} has no value and no default`);
    }
    return declared.Type === 'CommaDelimitedList' || declared.Type.startsWith('List<')
      ? text.split(',')
      : text;
  };

  const conditions: Record<string, boolean> = {};
  const condition = (name: string): boolean => {
    if (!(name in conditions)) {
      const definition = (template.Conditions as Record<string, unknown> | undefined)?.[name];
      if (definition === undefined) throw new Error(`no condition ${name}`);
      conditions[name] = Boolean(walk(definition));
    }
    return conditions[name] as boolean;
  };

  const text = (value: unknown, what: string): string => {
    if (typeof value !== 'string')
      throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
    return value;
  };

  function walk(node: unknown): Value | typeof NO_VALUE {
    if (Array.isArray(node)) {
      return node.map(walk).filter((item): item is Value => item !== NO_VALUE);
    }
    if (node === null || typeof node !== 'object') return node as Value;
    const entries = Object.entries(node);
    const [first] = entries;
    if (entries.length === 1 && first) {
      const [key, argument] = first;
      const args = Array.isArray(argument) ? argument : [argument];
      switch (key) {
        case 'Ref':
          return argument === 'AWS::NoValue' ? NO_VALUE : parameter(text(argument, 'Ref'));
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = typeof argument === 'string' ? argument.split('.') : args;
          if (!resources[String(logicalId)]) throw new Error(`Fn::GetAtt of unknown ${logicalId}`);
          return `${logicalId}.${attribute}`;
        }
        case 'Condition':
          return condition(text(argument, 'Condition'));
        case 'Fn::If':
          return condition(text(args[0], 'Fn::If')) ? walk(args[1]) : walk(args[2]);
        case 'Fn::Equals':
          return JSON.stringify(walk(args[0])) === JSON.stringify(walk(args[1]));
        case 'Fn::Not':
          return !walk(args[0]);
        case 'Fn::And':
          return args.every((item) => walk(item));
        case 'Fn::Or':
          return args.some((item) => walk(item));
        case 'Fn::Join': {
          const list = walk(args[1]);
          // A list attribute (Fn::GetAtt of a custom resource) stays a placeholder.
          if (typeof list === 'string' && list.includes('.')) return `join(${list})`;
          if (!Array.isArray(list)) throw new Error(`Fn::Join of ${JSON.stringify(list)}`);
          return list.map((item) => text(item, 'Fn::Join item')).join(text(args[0], 'delimiter'));
        }
        case 'Fn::Split':
          return text(walk(args[1]), 'Fn::Split').split(text(args[0], 'delimiter'));
        case 'Fn::Select': {
          const list = walk(args[1]);
          const index = Number(walk(args[0]));
          if (!Array.isArray(list) || list[index] === undefined) {
            throw new Error(`Fn::Select ${index} of ${JSON.stringify(list)}: out of range`);
          }
          return list[index] as Value;
        }
        case 'Fn::Sub': {
          const [body, variables] = typeof argument === 'string' ? [argument, {}] : args;
          const values = (walk(variables ?? {}) ?? {}) as Record<string, Value>;
          return text(body, 'Fn::Sub').replace(/\$\{([^}]*)\}/g, (_, name: string) => {
            if (name.startsWith('!')) return `\${${name.slice(1)}}`;
            if (name in values) return text(values[name], name);
            if (name.includes('.') && !name.startsWith('AWS::')) {
              const [logicalId] = name.split('.');
              if (!resources[String(logicalId)]) throw new Error(`\${${name}}: unknown resource`);
              return name;
            }
            return text(parameter(name), name);
          });
        }
        default:
          if (key.startsWith('Fn::')) throw new Error(`cannot resolve ${key}`);
      }
    }
    const object: Record<string, Value> = {};
    for (const [key, child] of entries) {
      const value = walk(child);
      if (value !== NO_VALUE) object[key] = value;
    }
    return object;
  }

  for (const name of Object.keys((template.Conditions as object | undefined) ?? {}))
    condition(name);
  const active = (resource: { Condition?: unknown }) =>
    resource.Condition === undefined || condition(String(resource.Condition));

  const deployed: Deployment['resources'] = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!active(resource as { Condition?: unknown })) continue;
    deployed[logicalId] = {
      Type: resource.Type,
      Properties: (walk(resource.Properties ?? {}) ?? {}) as Record<string, Value>,
      ...(resource.DependsOn === undefined ? {} : { DependsOn: resource.DependsOn as Value }),
    };
  }
  const outputs: Record<string, Value> = {};
  for (const [name, output] of Object.entries(
    (template.Outputs as Record<string, { Condition?: string; Value: unknown }>) ?? {},
  )) {
    if (!active(output)) continue;
    outputs[name] = walk(output.Value) as Value;
  }
  return { conditions, resources: deployed, outputs };
}
