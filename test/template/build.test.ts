import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BuildProperties,
  esbuildArguments,
  esbuildFunctions,
} from '../../scripts/sam-esbuild.mjs';
import { importBundle } from '../support/bundle-import.js';
import { budgetFor } from '../support/work-budget.js';
import { loadTemplate, ROOT } from './cloudformation.js';

const OUT = '/out';
const ENTRY = 'src/index.ts';

const template = loadTemplate();
const functions = esbuildFunctions(template);
const bundleOf = (name: string): string => join(ROOT, 'dist', name, 'index.mjs');

/** A list-valued build property, such as OutExtension or Banner, checked to be one. */
function listProperty(properties: BuildProperties, key: string): string[] {
  const value = properties[key];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(
      `BuildProperties.${key}: expected a list of strings, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The major Node.js version of an esbuild target list such as `node22` or `node22,es2023`. */
function nodeTargetMajor(target: unknown): number | undefined {
  if (typeof target !== 'string') return undefined;
  const node = target.split(',').find((part) => /^node\d+/.test(part.trim()));
  return node === undefined ? undefined : Number.parseInt(node.trim().slice('node'.length), 10);
}

// What sam build passes esbuild, written out from the SAM docs page "Building Node.js Lambda
// functions with esbuild" and aws-lambda-builders' nodejs_npm_esbuild/esbuild.py (see
// scripts/sam-esbuild.mjs): the entry points, `--bundle --platform=node --outdir=<dir>`, then one
// flag per property in the template's order. These lists are the specification; the code is not
// run to produce them.
const BANNER =
  "js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
/** Every function sets the same BuildProperties but for the entry point. */
const argumentsFor = (entryPoint: string): string[] => [
  entryPoint,
  '--bundle',
  '--platform=node',
  '--outdir=/out',
  '--format=esm',
  '--out-extension:.js=.mjs',
  '--target=node24',
  '--minify',
  '--sourcemap=external',
  '--main-fields=module,main',
  '--sources-content=false',
  '--splitting',
  `--banner:${BANNER}`,
];
const TEMPLATE_ARGUMENTS: Record<string, string[]> = {
  TargetGroupSyncFunction: argumentsFor('functions/target-group-sync/index.ts'),
  NlbPrivateIpsFunction: argumentsFor('functions/nlb-private-ips/index.ts'),
  BridgeMacroFunction: argumentsFor('functions/bridge-macro/index.ts'),
};

/** The flags sam build always gives, first after the entry points. */
const FIXED = ['--bundle', '--platform=node', '--outdir=/out'];
/** Target, Format and Minify, which this build requires because sam build would default them. */
const SET = { Target: 'node22', Format: 'esm', Minify: true };

describe('Function: esbuildArguments (what sam build passes esbuild)', () => {
  it.each(Object.entries(TEMPLATE_ARGUMENTS))(
    "maps template.yaml's %s BuildProperties to exactly these arguments",
    (logicalId, expected) => {
      // Prepare
      const fn = functions.find((candidate) => candidate.logicalId === logicalId);
      expect(fn, logicalId).toBeDefined();

      // Act
      const args = esbuildArguments(fn?.buildProperties, OUT);

      // Assess
      expect(args).toEqual(expected);
    },
  );

  it('has a row above for every esbuild function of template.yaml', () => {
    expect(functions.map((fn) => fn.logicalId).sort()).toEqual(
      Object.keys(TEMPLATE_ARGUMENTS).sort(),
    );
  });

  it.each<[string, BuildProperties, string[]]>([
    [
      'entry points first, then the fixed flags, then each property in its order',
      { Minify: true, EntryPoints: ['a.ts', 'b.js'], Target: 'node20', Format: 'cjs' },
      ['a.ts', 'b.js', ...FIXED, '--minify', '--target=node20', '--format=cjs'],
    ],
    [
      'false: no flag',
      { EntryPoints: [ENTRY], ...SET, Minify: false, Sourcemap: false },
      [ENTRY, ...FIXED, '--target=node22', '--format=esm'],
    ],
    [
      'a PascalCase name of several words: kebab-case',
      { EntryPoints: [ENTRY], ...SET, MainFields: 'module,main', SourcesContent: true },
      [
        ENTRY,
        ...FIXED,
        '--target=node22',
        '--format=esm',
        '--minify',
        '--main-fields=module,main',
        '--sources-content',
      ],
    ],
    [
      // esbuild.py _create_boolean_config / _create_str_config: true is the bare flag, a string
      // its value; a YAML false gives no flag, so SourcesContent must be the string "false".
      'the cold-start settings: a bare flag for true, a value for a string, nothing for false',
      {
        EntryPoints: [ENTRY],
        ...SET,
        Sourcemap: 'external',
        Splitting: true,
        SourcesContent: 'false',
        KeepNames: false,
      },
      [
        ENTRY,
        ...FIXED,
        '--target=node22',
        '--format=esm',
        '--minify',
        '--sourcemap=external',
        '--splitting',
        '--sources-content=false',
      ],
    ],
    [
      'a list: one flag per item, spaces and all',
      { EntryPoints: [ENTRY], ...SET, External: ['@aws-sdk/*', 'pg-native'], Banner: ['js=a b;'] },
      [
        ENTRY,
        ...FIXED,
        '--target=node22',
        '--format=esm',
        '--minify',
        '--external:@aws-sdk/*',
        '--external:pg-native',
        '--banner:js=a b;',
      ],
    ],
    [
      'an empty list: no flag',
      { EntryPoints: [ENTRY], ...SET, Loader: [] },
      [ENTRY, ...FIXED, '--target=node22', '--format=esm', '--minify'],
    ],
  ])('maps %s', (_, properties, expected) => {
    // Act
    const args = esbuildArguments(properties, OUT);

    // Assess
    expect(args).toEqual(expected);
  });

  it.each<[string, BuildProperties, RegExp]>([
    ['EntryPoints as a string', { EntryPoints: ENTRY, ...SET }, /EntryPoints: expected a list/],
    ['an entry point that is not a string', { EntryPoints: [42], ...SET }, /42 must name a file/],
    ['a number', { EntryPoints: [ENTRY], ...SET, LogLimit: 10 }, /LogLimit: 10 is not true/],
    ['a map', { EntryPoints: [ENTRY], ...SET, Define: { A: 'b' } }, /Define: .* is not true/],
    ['a null', { EntryPoints: [ENTRY], ...SET, Target: null }, /Target: null is not true/],
  ])('refuses %s, as sam build does', (_, properties, message) => {
    expect(() => esbuildArguments(properties, OUT)).toThrow(message);
  });

  it.each<[string, BuildProperties | undefined, RegExp]>([
    // sam build would bundle the handler's file.
    ['no BuildProperties', undefined, /EntryPoints: expected a list of at least one file/],
    ['no EntryPoints', { ...SET }, /EntryPoints: expected a list/],
    ['an empty EntryPoints list', { EntryPoints: [], ...SET }, /EntryPoints: expected a list/],
    // sam build would try index.ts, then index.js.
    ['an entry point without its extension', { EntryPoints: ['x/index'], ...SET }, /extension/],
    // sam build would add --target=es2020, --format=cjs and --minify.
    ['no Target', { EntryPoints: [ENTRY], Format: 'esm', Minify: true }, /: Target not set/],
    [
      'no Format, no Minify',
      { EntryPoints: [ENTRY], Target: 'node22' },
      /: Format, Minify not set/,
    ],
    // sam build would drop these, or give UseNpmCi to npm.
    ['Bundle', { EntryPoints: [ENTRY], ...SET, Bundle: false }, /Bundle: sam build does not/],
    ['Platform', { EntryPoints: [ENTRY], ...SET, Platform: 'browser' }, /Platform: sam build/],
    ['Outdir', { EntryPoints: [ENTRY], ...SET, Outdir: 'elsewhere' }, /Outdir: sam build/],
    ['UseNpmCi', { EntryPoints: [ENTRY], ...SET, UseNpmCi: true }, /UseNpmCi: sam build/],
    // sam build would mark every package.json dependency external.
    [
      'External with ./node_modules/*',
      { EntryPoints: [ENTRY], ...SET, External: ['pg-native', './node_modules/*'] },
      /External: ".\/node_modules\/\*" makes sam build mark every dependency external/,
    ],
    [
      'External ./node_modules/* as one string',
      { EntryPoints: [ENTRY], ...SET, External: './node_modules/*' },
      /External: ".\/node_modules\/\*"/,
    ],
  ])('refuses %s, which this build does not mirror', (_, properties, message) => {
    expect(() => esbuildArguments(properties, OUT)).toThrow(message);
  });
});

describe('Function: esbuildFunctions', () => {
  const esbuildFunction = (properties: Record<string, unknown> | undefined) => ({
    Type: 'AWS::Serverless::Function',
    Metadata: { BuildMethod: 'esbuild', BuildProperties: { EntryPoints: ['src/api/index.ts'] } },
    ...(properties === undefined ? {} : { Properties: properties }),
  });

  it('lists the functions built with esbuild, each named after its entry point directory', () => {
    // Prepare
    const template = {
      Resources: {
        Api: esbuildFunction({ CodeUri: 'app', Handler: 'index.handler' }),
        Image: { Type: 'AWS::Serverless::Function', Properties: { PackageType: 'Image' } },
        Queue: { Type: 'AWS::SQS::Queue' },
      },
    };

    // Act
    const found = esbuildFunctions(template);

    // Assess
    expect(found).toEqual([
      {
        logicalId: 'Api',
        name: 'api',
        codeUri: 'app',
        buildProperties: { EntryPoints: ['src/api/index.ts'] },
      },
    ]);
  });

  it.each([
    ['CodeUri only in Globals', { Handler: 'index.handler' }],
    ['no Properties', undefined],
  ])('refuses a function with %s', (_, properties) => {
    const template = {
      Globals: { Function: { CodeUri: 'app' } },
      Resources: { Api: esbuildFunction(properties) },
    };
    expect(() => esbuildFunctions(template)).toThrow(/^Api: Properties\.CodeUri must be set/);
  });

  it('refuses a function without entry points', () => {
    const template = {
      Resources: {
        Api: { ...esbuildFunction({ CodeUri: 'app' }), Metadata: { BuildMethod: 'esbuild' } },
      },
    };
    expect(() => esbuildFunctions(template)).toThrow(/EntryPoints: expected a list/);
  });
});

// The template project's global setup has built dist/ from the current source (npm run build).
describe('Template: the esbuild functions', () => {
  it('finds the target-group-sync function', () => {
    expect(functions.map((fn) => fn.name)).toContain('target-group-sync');
  });

  describe.each(functions.map((fn) => [fn.logicalId, fn] as const))('%s', (_, fn) => {
    const properties = fn.buildProperties;

    it('has Handler index.handler and entry points that exist', () => {
      expect(template.Resources[fn.logicalId]?.Properties?.Handler).toBe('index.handler');
      const entryPoints = listProperty(properties, 'EntryPoints');
      expect(entryPoints).not.toHaveLength(0);
      for (const entry of entryPoints) {
        expect(existsSync(resolve(ROOT, fn.codeUri, entry)), entry).toBe(true);
      }
    });

    it(
      'is bundled as an ES module that Node.js loads, exporting the handler',
      () => {
        // Prepare
        const bundle = bundleOf(fn.name);
        expect(existsSync(bundle), `${bundle} (run npm run build)`).toBe(true);

        // Act
        const loaded = importBundle(bundle, ROOT);

        // Assess
        expect(loaded).toEqual({ handler: 'function', namespace: '[object Module]' });
      },
      budgetFor({ bundleImport: 1 }),
    );

    it("starts with the template's banner, so require works in the ES module", () => {
      // Prepare
      const banners = listProperty(properties, 'Banner')
        .filter((banner) => banner.startsWith('js='))
        .map((banner) => banner.slice('js='.length));
      expect(banners).toHaveLength(1);

      // Act
      const text = readFileSync(bundleOf(fn.name), 'utf8');

      // Assess
      expect(text.startsWith(`${banners[0]}\n`)).toBe(true);
      expect(banners[0]).toContain('createRequire(import.meta.url)');
    });

    it("has external source maps, without the sources' text, that cover the entry point's directory", () => {
      // Prepare
      const outdir = join(ROOT, 'dist', fn.name);
      const code = readdirSync(outdir).filter((file) => file.endsWith('.mjs'));

      // Act
      const maps = code.map((file) => ({
        text: readFileSync(join(outdir, file), 'utf8'),
        map: JSON.parse(readFileSync(join(outdir, `${file}.map`), 'utf8')) as {
          version: number;
          sources: string[];
          sourcesContent?: unknown;
        },
      }));

      // Assess: no sourceMappingURL comment, so Node.js reads no map at load even with
      // --enable-source-maps (functions/shared/stack-trace.ts reads one for an error).
      expect(code).toContain('index.mjs');
      for (const { text, map } of maps) {
        expect(text).not.toContain('//# sourceMappingURL=');
        expect(map.version).toBe(3);
        expect(map.sourcesContent).toBeUndefined();
      }
      // A re-exporting entry file adds no code of its own, so look for its directory's files.
      const directory = `${dirname(listProperty(properties, 'EntryPoints')[0] ?? '?')}/`;
      const sources = maps.flatMap(({ map }) =>
        map.sources.map((source) => relative(ROOT, resolve(outdir, source))),
      );
      expect(sources.filter((source) => source.startsWith(directory))).not.toHaveLength(0);
    });

    it('loads its chunks from its own directory only', () => {
      // Lambda imports the handler file from the function's directory, and an ES module's
      // relative imports resolve from the importing file.
      // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
      const outdir = join(ROOT, 'dist', fn.name);
      for (const file of readdirSync(outdir).filter((name) => name.endsWith('.mjs'))) {
        const text = readFileSync(join(outdir, file), 'utf8');
        for (const [, target] of text.matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g)) {
          expect(existsSync(join(outdir, target ?? '?')), `${file} imports ${target}`).toBe(true);
          expect(dirname(join(outdir, target ?? '?')), `${file} imports ${target}`).toBe(outdir);
        }
      }
    });

    it("follows the project's build rules", () => {
      expect(properties.Format).toBe('esm');
      expect(listProperty(properties, 'OutExtension')).toContain('.js=.mjs');
      // Issue 13's cold-start settings (npm run bench measures each lever).
      expect(properties.Sourcemap).toBe('external');
      expect(properties.MainFields).toBe('module,main');
      expect(properties.SourcesContent).toBe('false');
      expect(properties.Splitting).toBe(true);
      expect(properties.KeepNames).toBeUndefined();
      expect(nodeTargetMajor(properties.Target)).toBeGreaterThanOrEqual(24);
    });

    it('runs on nodejs24.x or newer, on arm64, no older than the bundle targets', () => {
      // Prepare
      const resource = template.Resources[fn.logicalId];
      const setting = (key: string): unknown =>
        resource?.Properties?.[key] ?? template.Globals?.Function?.[key];

      // Act
      const runtime = String(setting('Runtime'));
      const runtimeMajor = Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);

      // Assess
      expect(runtime).toMatch(/^nodejs\d+\.x$/);
      expect(runtimeMajor).toBeGreaterThanOrEqual(24);
      expect(setting('Architectures')).toEqual(['arm64']);
      expect(nodeTargetMajor(properties.Target)).toBeLessThanOrEqual(runtimeMajor);
    });
  });
});

describe('The alb-static-ip command: its bundle', () => {
  const bin = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    }
  ).bin;

  it("is package.json's bin, built by npm run build, an executable with its #! line first", () => {
    expect(bin).toEqual({ 'alb-static-ip': 'dist/cli/alb-static-ip.mjs' });
    const text = readFileSync(join(ROOT, bin['alb-static-ip'] as string), 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it(
    'runs as a command: --help exits 0, a wrong command 64',
    () => {
      const command = join(ROOT, bin['alb-static-ip'] as string);
      const help = spawnSync(command, ['--help'], { encoding: 'utf8' });
      const wrong = spawnSync(command, ['stats'], { encoding: 'utf8' });

      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^usage: alb-static-ip <command> \[options\]/);
      expect(wrong.status).toBe(64);
      expect(wrong.stderr).toMatch(/^alb-static-ip: unknown command "stats"/);
    },
    budgetFor({ bundleImport: 2 }),
  );
});
