import { InvalidInputError } from '../../functions/shared/errors.js';

/** The error a promise rejects with; fails the test if it resolves instead. */
export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure, and the call succeeded');
}

/** The problems a schema parser reports for an input; fails the test if it accepts the input. */
export function problemsOf(parse: (input: unknown) => unknown, input: unknown): string[] {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof InvalidInputError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the input to be rejected, and it was accepted');
}
