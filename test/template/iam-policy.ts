/**
 * Just enough of IAM's policy evaluation to ask a policy from the template whether it allows one
 * request: an explicit Deny wins, then any Allow whose Action, Resource and every Condition match;
 * otherwise the request is denied. Condition operators it does not know throw, so no statement is
 * ever read as looser or tighter than it is. A request that names its principal is also matched
 * against each statement's Principal, as a resource policy's are; one that does not is matched on
 * the rest alone, as an identity policy's statements are.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  /** A resource policy's: "*" (everyone) or principals by type, { Service: [...] }. */
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Who sends a request: a service principal, or an AWS principal (account, role) by its ARN. */
export interface RequestPrincipal {
  readonly type: 'AWS' | 'Service';
  readonly id: string;
}

/** One request: its action, the resource's ARN, and the request's context keys. */
export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  /** Context keys, by name: a list for multivalued keys such as aws:TagKeys. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  /** Matched against statements' Principal when given; see above. */
  readonly principal?: RequestPrincipal;
}

const asList = (value: unknown): string[] => {
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'string') {
      throw new Error(`expected strings in a policy, got ${JSON.stringify(item)}`);
    }
  }
  return list as string[];
};

/** IAM's wildcards: `*` any run of characters, `?` one character; the rest compared as is. */
function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = [...pattern]
    .map((character) =>
      character === '*'
        ? '.*'
        : character === '?'
          ? '.'
          : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

/** A single-valued comparison: does the request's value match any of the policy's values? */
const COMPARE: Record<string, (policy: string, request: string) => boolean> = {
  StringEquals: (policy, request) => policy === request,
  StringNotEquals: (policy, request) => policy !== request,
  StringLike: (policy, request) => globMatches(policy, request),
  ArnEquals: (policy, request) => globMatches(policy, request),
  ArnLike: (policy, request) => globMatches(policy, request),
  Bool: (policy, request) => policy === request,
};

/**
 * Whether a statement's Principal names the request's: "*" names everyone, an object names
 * principals by type. A wildcard inside the object is refused rather than guessed at.
 */
function principalMatches(principal: unknown, request: RequestPrincipal): boolean {
  if (principal === '*') return true;
  if (principal === null || typeof principal !== 'object' || Array.isArray(principal)) {
    throw new Error(`expected "*" or principals by type, got ${JSON.stringify(principal)}`);
  }
  const named = (principal as Record<string, unknown>)[request.type];
  if (named === undefined) return false;
  const ids = asList(named);
  if (ids.includes('*')) throw new Error(`a wildcard ${request.type} principal is not supported`);
  return ids.includes(request.id);
}

function conditionHolds(
  operator: string,
  key: string,
  policyValue: unknown,
  context: AccessRequest['context'],
): boolean {
  const values = asList(policyValue);
  const present = Object.hasOwn(context, key);
  if (operator === 'Null') {
    // "true": the key must be absent; "false": it must be present (and, for a list, not empty).
    const given = context[key];
    const absent = !present || (Array.isArray(given) && given.length === 0);
    return values.every((value) => (value === 'true' ? absent : !absent));
  }
  const [qualifier, base] = operator.includes(':')
    ? (operator.split(':') as [string, string])
    : [undefined, operator];
  const compare = COMPARE[base];
  if (!compare) throw new Error(`condition operator ${operator} is not supported here`);
  const matchesAny = (requestValue: string) => values.some((value) => compare(value, requestValue));
  const given = context[key];
  if (qualifier === 'ForAllValues') {
    // True when every value in the request matches, so also when the request has none.
    return given === undefined ? true : asList(given).every(matchesAny);
  }
  if (qualifier === 'ForAnyValue') {
    return given === undefined ? false : asList(given).some(matchesAny);
  }
  if (qualifier !== undefined) throw new Error(`condition operator ${operator} is not supported`);
  if (given === undefined || Array.isArray(given)) return false;
  return matchesAny(given as string);
}

function statementMatches(statement: PolicyStatement, request: AccessRequest): boolean {
  if (
    request.principal !== undefined &&
    statement.Principal !== undefined &&
    !principalMatches(statement.Principal, request.principal)
  ) {
    return false;
  }
  const actions = asList(statement.Action);
  if (!actions.some((action) => globMatches(action, request.action, true))) return false;
  const resources = asList(statement.Resource);
  if (!resources.some((resource) => globMatches(resource, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, value]) =>
      conditionHolds(operator, key, value, request.context),
    ),
  );
}

/** Whether the statements allow the request: no matching Deny, and at least one matching Allow. */
export function isAllowed(statements: readonly PolicyStatement[], request: AccessRequest): boolean {
  const matching = statements.filter((statement) => statementMatches(statement, request));
  if (matching.some((statement) => statement.Effect === 'Deny')) return false;
  return matching.some((statement) => statement.Effect === 'Allow');
}
