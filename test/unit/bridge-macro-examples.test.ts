import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  expandMacroExample,
  MACRO_EXAMPLE_FILES,
  MACRO_EXAMPLE_PARAMETERS,
  SAMPLE_ACCOUNT,
} from '../support/macro-examples.js';

// The AlbStaticIp macro's whole expansion of each users' template in examples/macro, against its
// committed snapshot: every resource, property, description and output the macro writes, so that
// a changed line of the expansion shows here (and under mutation testing). The template tests
// lint these expansions and deploy them on paper; the integration tests create them in moto.
// Regenerate after a deliberate change: npx vitest run --project unit -u, then read the diff.
// YAML rather than JSON, which the formatter would rewrite.

describe('examples/macro: the expansion of each example', () => {
  it.each(MACRO_EXAMPLE_FILES)('%s: is the committed snapshot', async (name) => {
    const parameters = MACRO_EXAMPLE_PARAMETERS[name];
    if (parameters === undefined) throw new Error(`no parameter values for ${name}`);
    const expanded = expandMacroExample(name, parameters(SAMPLE_ACCOUNT));

    await expect(
      stringify(expanded, { lineWidth: 0, aliasDuplicateObjects: false }),
    ).toMatchFileSnapshot(`./__snapshots__/macro-examples/${name}.yaml`);
  });
});
