import { PSEUDO_PARAMETERS, type Resource, type Template } from './cloudformation.js';

/**
 * Deploys a (transformed) template on paper: checks its Rules, evaluates its conditions for the
 * given parameter values, keeps the resources and outputs whose condition holds, and resolves
 * their intrinsic functions. A Ref to a resource becomes a made-up value of the right shape (a
 * target group ARN for a target group, a load balancer ARN for a load balancer), and Fn::GetAtt
 * becomes a GetAtt value, so tests can check what points where. Anything it does not know throws.
 */

/**
 * What Fn::GetAtt resolves to: an attribute of a resource, which exists only once the resource
 * does. A value of its own kind, so no one has to tell it from a string.
 */
export class GetAtt {
  constructor(
    readonly logicalId: string,
    readonly attribute: string,
  ) {}

  /**
   * How it reads inside a string (Fn::Sub, an Fn::Join item), which must stay a string: in
   * CloudFormation's own notation for it, `${Logical.Attribute}`.
   */
  toString(): string {
    return `\${${this.logicalId}.${this.attribute}}`;
  }
}

/** Fn::Join of a list attribute (a custom resource's): its items exist only after the deploy. */
export class JoinedGetAtt {
  constructor(
    readonly delimiter: string,
    readonly list: GetAtt,
  ) {}
}

/** Fn::Select of a list attribute: one of its items, which exists only after the deploy. */
export class SelectedGetAtt {
  constructor(
    readonly index: number,
    readonly list: GetAtt,
  ) {}
}

export const getAtt = (logicalId: string, attribute: string): GetAtt =>
  new GetAtt(logicalId, attribute);

export type Value =
  | string
  | number
  | boolean
  | null
  | GetAtt
  | JoinedGetAtt
  | SelectedGetAtt
  | Value[]
  | { [key: string]: Value };

export interface Deployment {
  readonly conditions: Record<string, boolean>;
  readonly resources: Record<
    string,
    { Type: string; Properties: Record<string, Value>; DependsOn?: Value }
  >;
  readonly outputs: Record<string, Value>;
}

/** A rule assertion that does not hold, with the text CloudFormation shows for it. */
export interface FailedAssertion {
  readonly rule: string;
  readonly description: string;
}

/** CloudFormation refuses the parameters: at least one rule assertion does not hold. */
export class RuleViolationError extends Error {
  constructor(readonly failed: readonly FailedAssertion[]) {
    super(
      `Rules refuse the parameters: ${failed.map((f) => `${f.rule}: ${f.description}`).join('; ')}`,
    );
    this.name = 'RuleViolationError';
  }
}

const NO_VALUE = Symbol('AWS::NoValue');

/** The pseudo parameters of a stack on paper: PSEUDO_PARAMETERS, or some of them replaced. */
export type PseudoParameters = Readonly<Record<string, string>>;

/**
 * PSEUDO_PARAMETERS with the given ones in place of theirs: another Region, a stack of another
 * name. A name that is not one of them throws, so a misspelt one does not go unused.
 */
function pseudoParametersWith(given: PseudoParameters = {}): PseudoParameters {
  const unknown = Object.keys(given).filter((name) => !(name in PSEUDO_PARAMETERS));
  if (unknown.length > 0) throw new Error(`not a pseudo parameter: ${unknown.join(', ')}`);
  return { ...PSEUDO_PARAMETERS, ...given };
}

/**
 * A parameter's value as CloudFormation gives it to Ref: a list for list types (an empty
 * CommaDelimitedList is `[""]`), a string otherwise; pseudo parameters from `pseudoParameters`.
 * Undefined for a name that is neither.
 */
function parameterValue(
  template: Template,
  parameters: Record<string, string>,
  name: string,
  pseudoParameters: PseudoParameters,
): string | string[] | undefined {
  const pseudo = pseudoParameters[name];
  if (pseudo !== undefined) return pseudo;
  const declared = template.Parameters?.[name];
  if (declared === undefined) return undefined;
  if (parameters[name] === undefined && declared.Default === undefined) {
    throw new Error(`parameter ${name} has no value and no default`);
  }
  const text = String(parameters[name] ?? declared.Default ?? '');
  return declared.Type === 'CommaDelimitedList' || declared.Type.startsWith('List<')
    ? text.split(',')
    : text;
}

/** The functions a rule may use, besides Ref (the rule functions page, "Supported functions"). */
const RULE_FUNCTIONS = new Set([
  'Fn::And',
  'Fn::Contains',
  'Fn::EachMemberEquals',
  'Fn::EachMemberIn',
  'Fn::Equals',
  'Fn::Not',
  'Fn::Or',
  'Fn::RefAll',
  'Fn::ValueOf',
  'Fn::ValueOfAll',
]);

/**
 * Evaluates a template's Rules section for the given parameter values, as CloudFormation does
 * before it creates anything: a rule whose RuleCondition holds (or that has none) must have every
 * assertion hold. Returns the assertions that do not, in template order. Only rule functions and
 * Ref to parameters are accepted; anything else throws, and so do Fn::ValueOf, Fn::ValueOfAll and
 * Fn::RefAll, which need the account's resources. So no rule passes half-evaluated.
 */
export function evaluateRules(
  template: Template,
  parameters: Record<string, string>,
  pseudoParameters: PseudoParameters = {},
): FailedAssertion[] {
  type RuleValue = string | string[] | boolean;
  const pseudo = pseudoParametersWith(pseudoParameters);
  const where = (rule: string, part: string) => `Rules.${rule}.${part}`;

  const value = (node: unknown, at: string): RuleValue => {
    if (typeof node === 'string') return node;
    if (Array.isArray(node)) return node.map((item) => text(item, at));
    if (node === null || typeof node !== 'object' || Object.keys(node).length !== 1) {
      throw new Error(`${at}: ${JSON.stringify(node)} is not a rule function, a string or a list`);
    }
    const [[key, argument]] = Object.entries(node) as [[string, unknown]];
    if (key === 'Ref') {
      const resolved = parameterValue(template, parameters, text(argument, `${at} Ref`), pseudo);
      if (resolved === undefined) {
        throw new Error(`${at}: Ref ${JSON.stringify(argument)} is not a parameter`);
      }
      return resolved;
    }
    if (!RULE_FUNCTIONS.has(key)) throw new Error(`${at}: ${key} is not a rule function`);
    const args = Array.isArray(argument) ? argument : [argument];
    switch (key) {
      case 'Fn::Equals':
        arity(args, 2, 2, key, at);
        return JSON.stringify(value(args[0], at)) === JSON.stringify(value(args[1], at));
      case 'Fn::Not':
        arity(args, 1, 1, key, at);
        return !truth(args[0], at);
      case 'Fn::And':
        arity(args, 2, 10, key, at);
        return args.map((item) => truth(item, at)).every(Boolean);
      case 'Fn::Or':
        arity(args, 2, 10, key, at);
        return args.map((item) => truth(item, at)).some(Boolean);
      case 'Fn::Contains':
        arity(args, 2, 2, key, at);
        return list(args[0], at).includes(text(args[1], at));
      case 'Fn::EachMemberEquals': {
        arity(args, 2, 2, key, at);
        const expected = text(args[1], at);
        return list(args[0], at).every((member) => member === expected);
      }
      case 'Fn::EachMemberIn': {
        arity(args, 2, 2, key, at);
        const allowed = list(args[1], at);
        return list(args[0], at).every((member) => allowed.includes(member));
      }
      default:
        throw new Error(`${at}: ${key} needs the account's resources and is not evaluated here`);
    }
  };
  const text = (node: unknown, at: string): string => {
    const resolved = value(node, at);
    if (typeof resolved !== 'string') {
      throw new Error(`${at}: expected a string, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  };
  const list = (node: unknown, at: string): string[] => {
    const resolved = value(node, at);
    if (!Array.isArray(resolved)) {
      throw new Error(`${at}: expected a list, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  };
  const truth = (node: unknown, at: string): boolean => {
    const resolved = value(node, at);
    if (typeof resolved !== 'boolean') {
      throw new Error(`${at}: expected a rule function, got ${JSON.stringify(resolved)}`);
    }
    return resolved;
  };
  const arity = (args: unknown[], min: number, max: number, key: string, at: string) => {
    if (args.length < min || args.length > max) {
      throw new Error(`${at}: ${key} takes ${min} to ${max} arguments, got ${args.length}`);
    }
  };

  const failed: FailedAssertion[] = [];
  const rules = (template.Rules ?? {}) as Record<string, Record<string, unknown>>;
  for (const [rule, definition] of Object.entries(rules)) {
    const unknown = Object.keys(definition).filter(
      (key) => key !== 'RuleCondition' && key !== 'Assertions',
    );
    if (unknown.length > 0) throw new Error(`Rules.${rule}: unknown keys ${unknown.join(', ')}`);
    const applies =
      definition.RuleCondition === undefined ||
      truth(definition.RuleCondition, where(rule, 'RuleCondition'));
    if (!applies) continue;
    const assertions = definition.Assertions;
    if (!Array.isArray(assertions) || assertions.length === 0) {
      throw new Error(`Rules.${rule}: Assertions must be a non-empty list`);
    }
    assertions.forEach((assertion: { Assert?: unknown; AssertDescription?: unknown }, index) => {
      if (!truth(assertion.Assert, where(rule, `Assertions[${index}]`))) {
        failed.push({ rule, description: String(assertion.AssertDescription ?? '') });
      }
    });
  }
  return failed;
}

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

export interface DeployOptions {
  /** Leaves the Rules out, for a test of what the template does with parameters they refuse. */
  readonly skipRules?: boolean;
  /** Pseudo parameters in place of PSEUDO_PARAMETERS' own: a stack in another Region, say. */
  readonly pseudoParameters?: PseudoParameters;
}

/**
 * Deploys on paper. The Rules are checked first, as CloudFormation does, and a violation throws a
 * RuleViolationError; `skipRules` leaves them out.
 */
export function deploy(
  template: Template,
  parameters: Record<string, string>,
  options: DeployOptions = {},
): Deployment {
  const pseudo = pseudoParametersWith(options.pseudoParameters);
  if (!options.skipRules) {
    const failed = evaluateRules(template, parameters, pseudo);
    if (failed.length > 0) throw new RuleViolationError(failed);
  }
  const resources = template.Resources;
  const parameter = (name: string): Value => {
    const resolved = parameterValue(template, parameters, name, pseudo);
    if (resolved !== undefined) return resolved;
    const resource = resources[name];
    if (resource) return fakeRef(name, resource);
    throw new Error(`cannot resolve Ref ${name}`);
  };

  const conditions: Record<string, boolean> = {};
  const condition = (name: string): boolean => {
    if (!(name in conditions)) {
      const definition = (template.Conditions as Record<string, unknown> | undefined)?.[name];
      if (definition === undefined) throw new Error(`no condition ${name}`);
      try {
        conditions[name] = Boolean(walk(definition));
      } catch (error) {
        // Name the innermost condition that could not be evaluated.
        const message = error instanceof Error ? error.message : String(error);
        if (message.startsWith('condition ')) throw error;
        throw new Error(`condition ${name}: ${message}`, { cause: error });
      }
    }
    return conditions[name] as boolean;
  };

  const text = (value: unknown, what: string): string => {
    if (typeof value !== 'string')
      throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
    return value;
  };
  /** A part of a string being built: a string, or an attribute in its `${...}` notation. */
  const part = (value: unknown, what: string): string =>
    value instanceof GetAtt ? value.toString() : text(value, what);
  /** Fn::GetAtt's argument, `Logical.Attribute` or [Logical, Attribute], of a known resource. */
  const attributeOf = (argument: unknown): GetAtt => {
    // The string form splits at the first dot: `Db.Endpoint.Address` is Db's Endpoint.Address.
    const [logicalId, attribute] =
      typeof argument === 'string'
        ? (/^([^.]+)\.(.+)$/.exec(argument)?.slice(1) ?? [])
        : Array.isArray(argument)
          ? argument
          : [];
    if (!resources[text(logicalId, 'Fn::GetAtt resource')]) {
      throw new Error(`Fn::GetAtt of unknown ${logicalId}`);
    }
    return getAtt(logicalId, text(attribute, 'Fn::GetAtt attribute'));
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
        case 'Fn::GetAtt':
          return attributeOf(argument);
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
          const delimiter = text(args[0], 'Fn::Join delimiter');
          const list = walk(args[1]);
          if (list instanceof GetAtt) return new JoinedGetAtt(delimiter, list);
          if (!Array.isArray(list)) throw new Error(`Fn::Join of ${JSON.stringify(list)}`);
          return list.map((item) => part(item, 'Fn::Join item')).join(delimiter);
        }
        case 'Fn::Split':
          return text(walk(args[1]), 'Fn::Split').split(text(args[0], 'delimiter'));
        case 'Fn::Select': {
          const list = walk(args[1]);
          const index = Number(walk(args[0]));
          if (list instanceof GetAtt) return new SelectedGetAtt(index, list);
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
            if (name in values) return part(values[name], name);
            if (name.includes('.') && !name.startsWith('AWS::')) return `${attributeOf(name)}`;
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
