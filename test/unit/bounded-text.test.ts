import { describe, expect, it } from 'vitest';
import { boundList, boundText } from '../../functions/shared/bounded-text.js';

describe('Function: boundText', () => {
  it.each([
    ['shorter than the bound', 'abcdefghi', 'abcdefghi'],
    ['exactly at the bound', 'abcdefghij', 'abcdefghij'],
    ['one character over the bound', 'abcdefghijk', 'abcdefg...'],
    ['far over the bound', 'abcdefghijklmnopqrstuvwxyz', 'abcdefg...'],
  ])('with text %s, returns %j for a bound of 10', (_, text, expected) => {
    // Act
    const bounded = boundText(text, 10);

    // Assess
    expect(bounded).toBe(expected);
    expect(bounded.length).toBeLessThanOrEqual(10);
  });

  it('cuts to exactly the bound, with the start kept and "..." at the end', () => {
    // Act
    const bounded = boundText('x'.repeat(1000), 100);

    // Assess
    expect(bounded).toBe(`${'x'.repeat(97)}...`);
    expect(bounded).toHaveLength(100);
  });

  it('is "..." alone at a bound of 3', () => {
    // Act
    const bounded = boundText('abcd', 3);

    // Assess
    expect(bounded).toBe('...');
  });

  it.each([2, 1, 0])(
    'keeps none of the text below a bound of 3 (bound %i): "..." is all that is left',
    (max) => {
      // Act
      const bounded = boundText('abcdef', max);

      // Assess: "..." alone, even though it is longer than the bound
      expect(bounded).toBe('...');
    },
  );

  it('leaves text that fits a bound below 3 as it is', () => {
    // Act
    const bounded = boundText('ab', 2);

    // Assess
    expect(bounded).toBe('ab');
  });
});

describe('Function: boundList', () => {
  it('joins every item when all fit, with no "and N more"', () => {
    // Act
    const listed = boundList(['a', 'b', 'c'], 5);

    // Assess
    expect(listed).toBe('a; b; c');
  });

  it('joins every item when there are exactly as many as shown', () => {
    // Act
    const listed = boundList(['a', 'b'], 2);

    // Assess
    expect(listed).toBe('a; b');
  });

  it('names the first items shown and counts the rest', () => {
    // Act
    const listed = boundList(['a', 'b', 'c', 'd', 'e'], 2);

    // Assess
    expect(listed).toBe('a; b; and 3 more');
  });

  it('counts one item more', () => {
    // Act
    const listed = boundList(['a', 'b', 'c'], 2);

    // Assess
    expect(listed).toBe('a; b; and 1 more');
  });

  it('uses the separator it is given, before "and N more" too', () => {
    // Act
    const listed = boundList(['a', 'b', 'c', 'd'], 3, ' | ');

    // Assess
    expect(listed).toBe('a | b | c | and 1 more');
  });

  it('is empty for an empty list', () => {
    // Act
    const listed = boundList([], 5);

    // Assess
    expect(listed).toBe('');
  });
});
