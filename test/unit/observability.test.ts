import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../functions/shared/errors.js';
import {
  createLogger,
  createMetrics,
  readEnvironment,
} from '../../functions/shared/observability.js';
import { captureOutput } from '../support/captured-output.js';

describe('Function: readEnvironment', () => {
  it.each([
    ['unset', {}],
    ['empty', { POWERTOOLS_METRICS_NAMESPACE: '' }],
  ])('uses our namespace when the setting is %s', (_, env) => {
    expect(readEnvironment(env)).toEqual({
      POWERTOOLS_METRICS_NAMESPACE: 'AlbStaticIp',
    });
  });

  it.each(['Platform/AwsPrefixed', 'Team/aws/metrics'])(
    'takes a namespace of the team’s own (%s), and ignores the rest of the environment',
    (namespace) => {
      expect(readEnvironment({ POWERTOOLS_METRICS_NAMESPACE: namespace, PATH: '/bin' })).toEqual({
        POWERTOOLS_METRICS_NAMESPACE: namespace,
      });
    },
  );

  it.each(['AWS/ApplicationELB', 'aws/lambda'])(
    'refuses the reserved namespace %s, naming the setting and the value',
    (namespace) => {
      let error: unknown;
      try {
        readEnvironment({ POWERTOOLS_METRICS_NAMESPACE: namespace });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toBe(
        `Invalid configuration: POWERTOOLS_METRICS_NAMESPACE: got "${namespace}"; expected a namespace of our own, not one under the reserved "AWS/"`,
      );
    },
  );
});

describe('Function: createMetrics', () => {
  it('publishes EMF in the namespace the environment names, under the service', () => {
    // Prepare: what Powertools prints
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const metrics = createMetrics('target-group-sync', {
      POWERTOOLS_METRICS_NAMESPACE: 'Platform/Bridges',
    });

    // Act
    metrics.addMetric('AlbIpCount', 'Count', 3);
    metrics.publishStoredMetrics();
    write.mockRestore();

    // Assess
    const emf = printed.map((line) => JSON.parse(line)).find((line) => '_aws' in line);
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Platform/Bridges' }] },
      service: 'target-group-sync',
      AlbIpCount: 3,
    });
  });
});

describe('Function: createLogger', () => {
  it('logs an error with its name, message and stack (mapped first), and other values as they are', () => {
    // Prepare
    const logs = captureOutput();
    const error = new TypeError('boom');

    // Act
    createLogger('test-service').error('It failed', { error, count: 2 });

    // Assess
    expect(logs()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'It failed',
        service: 'test-service',
        count: 2,
        error: expect.objectContaining({ name: 'TypeError', message: 'boom', stack: error.stack }),
      }),
    ]);
  });
});
