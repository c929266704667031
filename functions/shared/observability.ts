import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { ConfigurationError } from './errors.js';
import { validate } from './input.js';
import { mapErrorStack } from './stack-trace.js';

/**
 * The narrow logging surface the core functions use; a Powertools Logger satisfies it. Info lines
 * carry counts and changes; whole lists (every interface, every unchanged target) go to debug, which
 * is off unless POWERTOOLS_LOG_LEVEL (the template's LogLevel) says DEBUG.
 */
export type CoreLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
/** The narrow metrics surface the core functions use; a Powertools Metrics satisfies it. */
export type CoreMetrics = Pick<Metrics, 'addMetric'>;
/** What one run needs to file its metrics under a dimension and publish them. */
export type PublishingMetrics = Pick<
  Metrics,
  'addMetric' | 'addDimension' | 'publishStoredMetrics'
>;

/**
 * The settings of ours a function reads from its environment, checked once when its module loads.
 * `AWS/` namespaces are reserved for AWS services, and CloudWatch rejects metrics published into
 * them, so such a namespace is refused before anything is measured.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace
 */
const EnvironmentSchema = z.object({
  POWERTOOLS_METRICS_NAMESPACE: z.pipe(
    z.optional(z.string()),
    z.pipe(
      // Our namespace unless the setting names another.
      z.transform((namespace: string | undefined) => namespace || 'AlbStaticIp'),
      z.string().check(
        z.refine((namespace) => !/^aws\//i.test(namespace), {
          error: 'expected a namespace of our own, not one under the reserved "AWS/"',
        }),
      ),
    ),
  ),
});

export type FunctionEnvironment = z.output<typeof EnvironmentSchema>;

/** The settings, or a ConfigurationError naming each bad one and its value. */
export function readEnvironment(env: Record<string, string | undefined>): FunctionEnvironment {
  // Any other variable is the runtime's or Lambda's: the schema is not strict, keeps only its own,
  // and so no problem lists the fields it expects.
  // Stryker disable next-line ArrayDeclaration: as said above
  const result = validate(EnvironmentSchema, env, []);
  if (result.ok) return result.value;
  // One setting can make one problem only, so the separator is never seen.
  // Stryker disable next-line StringLiteral: as said above
  throw new ConfigurationError(`Invalid configuration: ${result.problems.join('; ')}`);
}

/**
 * One JSON logger per function; level and sampling come from POWERTOOLS_LOG_LEVEL and friends. An
 * error it logs has its stack mapped to the sources first (stack-trace.ts): the replacer runs
 * before the Logger formats the error.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/logger/#custom-json-replacer-function
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, jsonReplacerFn: (_key, value) => mapErrorStack(value) });
}

/** EMF metrics in the namespace the environment names (see readEnvironment). */
export function createMetrics(serviceName: string, environment: FunctionEnvironment): Metrics {
  return new Metrics({ namespace: environment.POWERTOOLS_METRICS_NAMESPACE, serviceName });
}
