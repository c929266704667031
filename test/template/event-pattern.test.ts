import { describe, expect, it } from 'vitest';
import { type EventPattern, matchesPattern } from './event-pattern.js';

// Fixed examples for the matcher the ENI-change rule's tests use, taken from the EventBridge User
// Guide and aws/event-ruler's README, so that those tests cannot pass on a matcher that matches
// everything or nothing.
const EC2_EVENT = {
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};

describe('Function: matchesPattern', () => {
  it('matches a field against any value of its list, and every field of the pattern', () => {
    // Prepare
    const pattern = { source: ['aws.ec2'], detail: { state: ['initializing', 'running'] } };

    // Act
    const results = [
      matchesPattern(pattern, EC2_EVENT),
      matchesPattern({ ...pattern, source: ['aws.s3'] }, EC2_EVENT),
      matchesPattern({ detail: { state: ['stopped'] } }, EC2_EVENT),
      matchesPattern({ detail: { missing: ['running'] } }, EC2_EVENT),
    ];

    // Assess
    expect(results).toEqual([true, false, false, false]);
  });

  it('matches an event list when it shares a value with the pattern list', () => {
    // Prepare
    const instance = EC2_EVENT.resources[0] as string;

    // Act
    const shared = matchesPattern({ resources: ['arn:other', instance] }, EC2_EVENT);
    const disjoint = matchesPattern({ resources: ['arn:other'] }, EC2_EVENT);

    // Assess
    expect([shared, disjoint]).toEqual([true, false]);
  });

  it('matches exists on leaves only: an absent field and an object do not exist', () => {
    // Prepare
    const exists = (value: boolean): EventPattern => ({
      detail: { 'c-count': [{ exists: value }] },
    });
    const absent = { detail: { state: 'running' } };
    const intermediate = { detail: { state: 'running', 'c-count': { c1: 100 } } };

    // Act
    const results = [EC2_EVENT, absent, intermediate].map((event) => [
      matchesPattern(exists(true), event),
      matchesPattern(exists(false), event),
    ]);

    // Assess
    expect(results).toEqual([
      [true, false],
      [false, true],
      [false, true],
    ]);
  });

  it('matches exists false when a parent of the field is absent', () => {
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, { source: 'x' })).toBe(
      true,
    );
  });

  it('matches $or when one alternative matches, beside the fields around it', () => {
    // Prepare: "source" && ("metricName" || ("metricType" && "namespace"))
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] },
      ],
    };
    const base = { source: 'aws.cloudwatch' };

    // Act
    const results = [
      matchesPattern(pattern, { ...base, metricName: 'ReadLatency' }),
      matchesPattern(pattern, { ...base, metricType: 'MetricType', namespace: 'AWS/ES' }),
      matchesPattern(pattern, { ...base, metricType: 'MetricType', namespace: 'AWS/S3' }),
      matchesPattern(pattern, { source: 'aws.ec2', metricName: 'ReadLatency' }),
    ];

    // Assess
    expect(results).toEqual([true, true, false, false]);
  });

  it('matches $or nested below the top level', () => {
    // Prepare
    const pattern = { detail: { $or: [{ source: ['aws.cloudwatch'] }, { kind: ['alarm'] }] } };

    // Act
    const results = [
      matchesPattern(pattern, { detail: { kind: 'alarm' } }),
      matchesPattern(pattern, { detail: { kind: 'metric' } }),
      matchesPattern(pattern, { kind: 'alarm' }),
    ];

    // Assess
    expect(results).toEqual([true, false, false]);
  });

  it('refuses operators it does not implement, and a malformed $or', () => {
    expect(() => matchesPattern({ time: [{ prefix: '2017-10-02' }] }, EC2_EVENT)).toThrow(
      /time: unsupported pattern operator/,
    );
    expect(() => matchesPattern({ $or: [{ source: ['aws.ec2'] }] }, EC2_EVENT)).toThrow(
      /\$or takes a list of at least two patterns/,
    );
    expect(() => matchesPattern({ source: 'aws.ec2' }, EC2_EVENT)).toThrow(
      /must be a list or an object/,
    );
  });
});
