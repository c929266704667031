// A template partially evaluated for the Serverless Application Repository (SAR): some conditions
// are fixed to a value, and what they decide is settled in the file itself, because SAR checks the
// resource types of the file and not of what a deploy would create
// (docs/serverless-application-repository.md). Pure: the input template is never changed.
//
// With the fixed conditions known:
//   - every condition that they decide becomes a constant; Fn::And with a false operand is false,
//     Fn::Or with a true one is true, true operands of an And (false of an Or) are dropped, and
//     what is still unknown stays, reduced. A condition that reduces to another one is replaced by
//     it wherever it is named;
//   - a resource or output whose condition is false is removed, and a true condition is dropped;
//   - an Fn::If on a known condition becomes its branch, and a branch of AWS::NoValue removes the
//     key or list item, as CloudFormation does;
//   - conditions that nothing names any more are removed, then parameters that no resource,
//     output, Globals entry or condition reads, with their AWS::CloudFormation::Interface entries;
//   - a rule's assertions that read only removed parameters go, and a rule left with none goes. A
//     rule that reads a removed parameter next to a kept one cannot be rewritten here and is an
//     error, unless `rules` replaces it: `rules` adds or replaces rules by name, such as one that
//     refuses the parameters under which a fixed condition would not hold.
// Then it is an error for a remaining resource to have a type that `listed` refuses, and for a
// Ref, Fn::GetAtt, Fn::Sub variable or DependsOn to name a resource or parameter the result does
// not have. Every error is reported at once, in one SarTemplateError.
//
// The SAM transform runs later, on the result: AWS::Serverless::* resources are checked as written,
// and what the transform makes of them is checked by the tests (test/template/sar-template.test.ts).

const NO_VALUE = Symbol('AWS::NoValue');

/** The Serverless Application Repository template cannot be made: every reason, in `problems`. */
export class SarTemplateError extends Error {
  constructor(problems) {
    super(
      `cannot make the Serverless Application Repository template:\n  ${problems.join('\n  ')}`,
    );
    this.name = 'SarTemplateError';
    this.problems = problems;
  }
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The key and argument of an intrinsic function (an object with exactly one key), or undefined. */
function intrinsic(node) {
  if (!isObject(node)) return undefined;
  const keys = Object.keys(node);
  return keys.length === 1 ? [keys[0], node[keys[0]]] : undefined;
}

const isNoValue = (node) => intrinsic(node)?.[0] === 'Ref' && node.Ref === 'AWS::NoValue';
const conditionNameOf = (node) => {
  const [key, argument] = intrinsic(node) ?? [];
  return key === 'Condition' && typeof argument === 'string' ? argument : undefined;
};

/**
 * The conditions' values with `known` fixed: for each name, true, false, or the expression still
 * to evaluate at deploy time. `reference(name)` is what a use of the condition becomes: a
 * constant, or `{ Condition: name }` of the condition that stands for it.
 */
function reduceConditions(conditions, known) {
  const reduced = new Map();
  const visiting = new Set();

  const conditionValue = (name) => {
    if (reduced.has(name)) return reduced.get(name);
    if (!Object.hasOwn(conditions, name)) {
      throw new SarTemplateError([`condition ${name} is named but not defined in Conditions`]);
    }
    if (visiting.has(name)) {
      throw new SarTemplateError([`condition ${name} depends on itself`]);
    }
    visiting.add(name);
    const value = Object.hasOwn(known, name)
      ? known[name]
      : reduce(conditions[name], `Conditions.${name}`);
    visiting.delete(name);
    reduced.set(name, value);
    return value;
  };

  const reference = (name) => {
    const value = conditionValue(name);
    if (typeof value === 'boolean') return value;
    return { Condition: conditionNameOf(value) ?? name };
  };

  function reduce(node, at) {
    const name = conditionNameOf(node);
    if (name !== undefined) return reference(name);
    const [key, argument] = intrinsic(node) ?? [];
    const operands = Array.isArray(argument) ? argument : [];
    switch (key) {
      case 'Fn::And':
      case 'Fn::Or': {
        // And: false decides, true drops out. Or: the other way round.
        const decisive = key === 'Fn::Or';
        const rest = [];
        for (const operand of operands) {
          const value = reduce(operand, at);
          if (value === decisive) return decisive;
          if (value !== !decisive) rest.push(value);
        }
        if (rest.length === 0) return !decisive;
        return rest.length === 1 ? rest[0] : { [key]: rest };
      }
      case 'Fn::Not': {
        const value = reduce(operands[0], at);
        if (typeof value === 'boolean') return !value;
        const [innerKey, innerArgument] = intrinsic(value) ?? [];
        return innerKey === 'Fn::Not' ? innerArgument[0] : { 'Fn::Not': [value] };
      }
      case 'Fn::Equals': {
        const [left, right] = operands;
        const scalar = (value) => typeof value === 'string' || typeof value === 'number';
        if (scalar(left) && scalar(right)) return String(left) === String(right);
        return structuredClone(node);
      }
      default:
        throw new SarTemplateError([
          `${at}: ${JSON.stringify(node)} is not a condition function (Fn::And, Fn::Equals, Fn::Not, Fn::Or, Condition)`,
        ]);
    }
  }

  return { conditionValue, reference };
}

/**
 * A template value with every Fn::If on a known condition replaced by its branch, and an
 * Fn::If on a condition that stands for another renamed to it. NO_VALUE when the value itself is
 * a chosen AWS::NoValue branch; inside objects and lists such a value removes its key or item.
 */
function settle(node, reference) {
  if (Array.isArray(node)) {
    return node.map((item) => settle(item, reference)).filter((item) => item !== NO_VALUE);
  }
  if (!isObject(node)) return node;
  const [key, argument] = intrinsic(node) ?? [];
  if (key === 'Fn::If' && Array.isArray(argument) && argument.length === 3) {
    const [name, whenTrue, whenFalse] = argument;
    const value = reference(String(name));
    if (typeof value === 'boolean') {
      const branch = value ? whenTrue : whenFalse;
      return isNoValue(branch) ? NO_VALUE : settle(branch, reference);
    }
    // Still decided at deploy time: a branch settled to nothing is AWS::NoValue again.
    const branch = (child) => {
      const settled = settle(child, reference);
      return settled === NO_VALUE ? { Ref: 'AWS::NoValue' } : settled;
    };
    return { 'Fn::If': [conditionNameOf(value), branch(whenTrue), branch(whenFalse)] };
  }
  const object = {};
  for (const [childKey, child] of Object.entries(node)) {
    const settled = settle(child, reference);
    if (settled !== NO_VALUE) object[childKey] = settled;
  }
  return object;
}

/**
 * What a value reads: the names behind Ref and Fn::Sub variables (`refs`), the resources behind
 * Fn::GetAtt and `${Name.Attribute}` (`attributes`), the conditions of Fn::If and Condition
 * (`conditions`), and the first argument of a rule's Fn::ValueOf (`refs`). Pseudo parameters
 * (AWS::...) are left out.
 */
function readsOf(node, reads = { refs: new Set(), attributes: new Set(), conditions: new Set() }) {
  if (Array.isArray(node)) {
    for (const item of node) readsOf(item, reads);
    return reads;
  }
  if (!isObject(node)) return reads;
  const [key, argument] = intrinsic(node) ?? [];
  const add = (set, name) => {
    if (typeof name === 'string' && !name.startsWith('AWS::')) set.add(name);
  };
  switch (key) {
    case 'Ref':
      add(reads.refs, argument);
      return reads;
    case 'Condition':
      // The condition function; an IAM statement's Condition map is read like any other value.
      if (typeof argument === 'string') add(reads.conditions, argument);
      else readsOf(argument, reads);
      return reads;
    case 'Fn::GetAtt':
      add(
        reads.attributes,
        typeof argument === 'string' ? argument.slice(0, argument.indexOf('.')) : argument?.[0],
      );
      if (Array.isArray(argument)) readsOf(argument[1], reads);
      return reads;
    case 'Fn::If':
      add(reads.conditions, argument?.[0]);
      readsOf(argument?.slice(1), reads);
      return reads;
    case 'Fn::ValueOf':
      add(reads.refs, argument?.[0]);
      readsOf(argument?.slice(1), reads);
      return reads;
    case 'Fn::Sub': {
      const [text, variables] = typeof argument === 'string' ? [argument, {}] : (argument ?? []);
      const own = new Set(Object.keys(isObject(variables) ? variables : {}));
      for (const [, name] of String(text).matchAll(/\$\{([^}]*)\}/g)) {
        if (name.startsWith('!') || own.has(name)) continue;
        const dot = name.indexOf('.');
        if (dot === -1) add(reads.refs, name);
        else add(reads.attributes, name.slice(0, dot));
      }
      readsOf(variables, reads);
      return reads;
    }
    default:
      for (const child of Object.values(node)) readsOf(child, reads);
      return reads;
  }
}

const dependsOnOf = (resource) =>
  resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();

/**
 * What each rule becomes when `removed` parameters are gone: the rule with only the assertions
 * that read no removed parameter, or undefined when nothing is left of it. Problems for what
 * cannot be rewritten, a kept and a removed parameter read together.
 */
function settleRule(name, rule, parameters, removed, problems) {
  const readIn = (node) => [...readsOf(node).refs].filter((ref) => Object.hasOwn(parameters, ref));
  const removedIn = (node) => readIn(node).filter((ref) => removed.has(ref));
  const assertions = (rule.Assertions ?? []).filter((assertion, index) => {
    const reads = readIn(assertion.Assert);
    const gone = reads.filter((ref) => removed.has(ref));
    if (gone.length > 0 && gone.length < reads.length) {
      problems.push(
        `Rules.${name}.Assertions[${index}] reads removed parameter(s) ${gone.join(', ')} beside kept ones (${reads.filter((ref) => !removed.has(ref)).join(', ')}); rewrite it, or replace the rule`,
      );
    }
    return gone.length === 0;
  });
  const conditionGone = rule.RuleCondition === undefined ? [] : removedIn(rule.RuleCondition);
  if (conditionGone.length > 0 && assertions.length > 0) {
    problems.push(
      `Rules.${name}: its RuleCondition reads removed parameter(s) ${conditionGone.join(', ')}, but assertions that read kept parameters remain; rewrite it, or replace the rule`,
    );
    return undefined;
  }
  if (assertions.length === 0) return undefined;
  return { ...structuredClone(rule), Assertions: structuredClone(assertions) };
}

/** The template's Metadata, with only the `kept` parameters in AWS::CloudFormation::Interface. */
function settleMetadata(metadata, kept) {
  const result = structuredClone(metadata);
  const face = result['AWS::CloudFormation::Interface'];
  if (!isObject(face)) return result;
  if (Array.isArray(face.ParameterGroups)) {
    face.ParameterGroups = face.ParameterGroups.map((group) => ({
      ...group,
      Parameters: (group.Parameters ?? []).filter((parameter) => kept.has(parameter)),
    })).filter((group) => group.Parameters.length > 0);
    if (face.ParameterGroups.length === 0) delete face.ParameterGroups;
  }
  if (isObject(face.ParameterLabels)) {
    face.ParameterLabels = Object.fromEntries(
      Object.entries(face.ParameterLabels).filter(([parameter]) => kept.has(parameter)),
    );
    if (Object.keys(face.ParameterLabels).length === 0) delete face.ParameterLabels;
  }
  return result;
}

/**
 * Resources or outputs with their conditions settled: those of a false condition left out, a true
 * condition dropped, one that stands for another renamed, and every value settled.
 */
function settleEntries(section, reference, problems, what) {
  const kept = {};
  for (const [name, entry] of Object.entries(section)) {
    const { Condition: condition, ...rest } = entry;
    const value = condition === undefined ? true : reference(String(condition));
    if (value === false) continue;
    const settled = settle(rest, reference);
    // In the entry's own order, with a condition that is still unknown under its new name.
    kept[name] = {};
    for (const key of Object.keys(entry)) {
      if (key !== 'Condition' && Object.hasOwn(settled, key)) kept[name][key] = settled[key];
      if (key === 'Condition' && value !== true) kept[name].Condition = conditionNameOf(value);
    }
    if (what === 'Outputs' && !Object.hasOwn(settled, 'Value')) {
      problems.push(`Outputs.${name}: its Value settles to AWS::NoValue`);
    }
  }
  return kept;
}

/** The conditions the settled body names, directly or through other conditions, by name. */
function liveConditionsOf(body, conditionValue) {
  const named = readsOf([body.Resources, body.Outputs, body.Globals ?? {}]).conditions;
  for (const entry of [...Object.values(body.Resources), ...Object.values(body.Outputs)]) {
    if (entry.Condition !== undefined) named.add(entry.Condition);
  }
  const live = new Set();
  const pending = [...named];
  while (pending.length > 0) {
    const name = pending.pop();
    if (live.has(name)) continue;
    live.add(name);
    pending.push(...readsOf(conditionValue(name)).conditions);
  }
  return live;
}

/** Problems for every name in the settled body that points at nothing left. */
function danglingReferences(body, template, keptParameters) {
  const problems = [];
  const exists = (name) => Object.hasOwn(body.Resources, name);
  const describe = (name) =>
    Object.hasOwn(template.Resources ?? {}, name)
      ? `resource ${name}, which is removed (its condition is false)`
      : Object.hasOwn(template.Parameters ?? {}, name)
        ? `parameter ${name}, which is removed`
        : `${name}, which the template does not define`;
  const check = (where, node, dependsOn = []) => {
    const reads = readsOf(node);
    for (const ref of reads.refs) {
      if (!keptParameters.has(ref) && !exists(ref)) {
        problems.push(`${where}: Ref or Fn::Sub names ${describe(ref)}`);
      }
    }
    for (const logicalId of reads.attributes) {
      if (!exists(logicalId)) problems.push(`${where}: Fn::GetAtt names ${describe(logicalId)}`);
    }
    for (const logicalId of dependsOn) {
      if (!exists(logicalId)) problems.push(`${where}: DependsOn names ${describe(logicalId)}`);
    }
  };
  for (const [logicalId, resource] of Object.entries(body.Resources)) {
    check(`Resources.${logicalId}`, resource, dependsOnOf(resource));
  }
  for (const [name, output] of Object.entries(body.Outputs)) check(`Outputs.${name}`, output);
  if (body.Globals !== undefined) check('Globals', body.Globals);
  return problems;
}

/**
 * The template for the Serverless Application Repository.
 *
 * @param template a template in its JSON form (scripts/cloudformation-yaml.mjs reads YAML into it)
 * @param options.knownConditions the conditions to fix, by name: `{ CreateNlb: false }`
 * @param options.listed whether a resource type may be in the result
 * @param options.rules rules to add, or to put in place of the template's rules of the same name
 * @throws SarTemplateError naming every problem
 */
export function sarTemplate(template, { knownConditions, listed, rules = {} }) {
  const conditions = template.Conditions ?? {};
  const parameters = template.Parameters ?? {};
  const problems = [];
  for (const [name, value] of Object.entries(knownConditions)) {
    if (typeof value !== 'boolean') {
      problems.push(
        `knownConditions.${name}: expected true or false, got ${JSON.stringify(value)}`,
      );
    } else if (!Object.hasOwn(conditions, name)) {
      problems.push(`knownConditions.${name}: the template has no condition ${name}`);
    }
  }
  if (problems.length > 0) throw new SarTemplateError(problems);

  // The body: resources, outputs and Globals with every known condition settled.
  const { conditionValue, reference } = reduceConditions(conditions, knownConditions);
  const body = {
    Resources: settleEntries(template.Resources ?? {}, reference, problems, 'Resources'),
    Outputs: settleEntries(template.Outputs ?? {}, reference, problems, 'Outputs'),
    Globals: template.Globals === undefined ? undefined : settle(template.Globals, reference),
  };

  // What the body still needs: its conditions, and the parameters it or they read.
  const live = liveConditionsOf(body, conditionValue);
  const keptConditions = {};
  const read = readsOf([body.Resources, body.Outputs, body.Globals ?? {}]).refs;
  for (const name of Object.keys(conditions).filter((name) => live.has(name))) {
    keptConditions[name] = conditionValue(name);
    for (const ref of readsOf(keptConditions[name]).refs) read.add(ref);
  }
  const kept = new Set(Object.keys(parameters).filter((name) => read.has(name)));
  const removed = new Set(Object.keys(parameters).filter((name) => !kept.has(name)));

  const keptRules = {};
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    if (Object.hasOwn(rules, name)) continue;
    const settled = settleRule(name, rule, parameters, removed, problems);
    if (settled !== undefined) keptRules[name] = settled;
  }
  for (const [name, rule] of Object.entries(rules)) {
    for (const ref of readsOf(rule).refs) {
      if (!kept.has(ref)) {
        problems.push(`Rules.${name} (added) reads ${ref}, which is not a parameter of the result`);
      }
    }
    keptRules[name] = structuredClone(rule);
  }

  problems.push(...danglingReferences(body, template, kept));
  for (const [logicalId, resource] of Object.entries(body.Resources)) {
    if (!listed(resource.Type)) {
      problems.push(
        `Resources.${logicalId}: type ${resource.Type} is not on the list of supported types`,
      );
    }
  }
  if (problems.length > 0) throw new SarTemplateError(problems);

  // The sections in the template's own order; one left empty is left out.
  const sections = {
    Parameters: Object.fromEntries(
      Object.entries(parameters)
        .filter(([name]) => kept.has(name))
        .map(([name, parameter]) => [name, structuredClone(parameter)]),
    ),
    Rules: keptRules,
    Conditions: keptConditions,
    Resources: body.Resources,
    Outputs: body.Outputs,
  };
  const result = {};
  for (const [section, value] of Object.entries(template)) {
    if (section === 'Globals') {
      result.Globals = body.Globals;
    } else if (section === 'Metadata') {
      result.Metadata = settleMetadata(value, kept);
    } else if (Object.hasOwn(sections, section)) {
      if (section === 'Resources' || Object.keys(sections[section]).length > 0) {
        result[section] = sections[section];
      }
    } else {
      result[section] = structuredClone(value);
    }
  }
  if (template.Rules === undefined && Object.keys(keptRules).length > 0) result.Rules = keptRules;
  return result;
}
