import { describe, expect, it } from 'vitest';
import { AwsCallError, isAwsError, messageOf } from '../../functions/shared/errors.js';
import { awsError } from '../support/aws-errors.js';

describe('Function: messageOf', () => {
  it("gives an Error's message, and writes out anything else thrown", () => {
    expect(messageOf(new Error('Slow down'))).toBe('Slow down');
    expect(messageOf('a string')).toBe('a string');
    expect(messageOf(7)).toBe('7');
    expect(messageOf(undefined)).toBe('undefined');
  });
});

describe('Function: isAwsError', () => {
  it('knows an AWS error by its name or code, also inside an AwsCallError', () => {
    const denied = awsError('AccessDenied', 'User is not authorized');
    expect(isAwsError(denied, 'AccessDenied')).toBe(true);
    expect(
      isAwsError(new AwsCallError('DescribeStacks failed', { cause: denied }), 'AccessDenied'),
    ).toBe(true);
    expect(isAwsError({ Code: 'ValidationError' }, 'ValidationError')).toBe(true);
    expect(isAwsError(denied, 'ThrottlingException')).toBe(false);
    expect(isAwsError('AccessDenied', 'AccessDenied')).toBe(false);
  });
});
