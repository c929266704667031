import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfigurationError } from './errors.js';

/** Our metrics namespace unless POWERTOOLS_METRICS_NAMESPACE names another. */
export const DEFAULT_METRICS_NAMESPACE = 'AlbStaticIp';

/** The narrow logging surface the core functions use; a Powertools Logger satisfies it. */
export type CoreLogger = Pick<Logger, 'info' | 'warn' | 'error'>;
/** The narrow metrics surface the core functions use; a Powertools Metrics satisfies it. */
export type CoreMetrics = Pick<Metrics, 'addMetric'>;

/** One JSON logger per function; level and sampling come from POWERTOOLS_LOG_LEVEL and friends. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/**
 * EMF metrics in our own namespace. `AWS/` namespaces are reserved for AWS services, and CloudWatch
 * rejects metrics published into them, so such a setting is refused before anything is measured.
 */
export function createMetrics(
  serviceName: string,
  namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
): Metrics {
  if (/^aws\//i.test(namespace)) {
    throw new ConfigurationError(
      `POWERTOOLS_METRICS_NAMESPACE: got ${JSON.stringify(namespace)}; expected a namespace of our own, not one under the reserved "AWS/"`,
    );
  }
  return new Metrics({ namespace, serviceName });
}
