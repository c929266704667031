import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BuildProperties,
  esbuildArguments,
  esbuildFunctions,
} from '../../scripts/sam-esbuild.mjs';
import { budgetFor } from '../support/work-budget.js';
import { loadTemplate, ROOT } from './cloudformation.js';

const ESBUILD = join(ROOT, 'node_modules', 'esbuild', 'bin', 'esbuild');
const OUT = '/out';
const ALWAYS = ['--bundle', '--platform=node', `--outdir=${OUT}`];
const DEFAULTS = ['--target=es2020', '--format=cjs', '--minify'];
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

/**
 * Imports a bundle the way the Lambda Node.js runtime does: `import()` in a fresh Node.js process.
 * Not in this one, because vitest's module runner would also accept a CommonJS bundle.
 */
function importInNode(bundle: string): { handler: string; namespace: string } {
  const script = [
    "const { pathToFileURL } = await import('node:url');",
    'const module = await import(pathToFileURL(process.argv[1]).href);',
    'const namespace = Object.prototype.toString.call(module);',
    'process.stdout.write(JSON.stringify({ handler: typeof module.handler, namespace }));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, bundle], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output) as { handler: string; namespace: string };
}

describe('Function: esbuildArguments (the SAM CLI esbuild workflow mapping)', () => {
  it.each<[string, BuildProperties, string[]]>([
    ['only entry points: every default', { EntryPoints: [ENTRY] }, [ENTRY, ...ALWAYS, ...DEFAULTS]],
    [
      'Target, Format and Minify set: no defaults, the given values',
      { EntryPoints: [ENTRY], Target: 'node22', Format: 'esm', Minify: true },
      [ENTRY, ...ALWAYS, '--target=node22', '--format=esm', '--minify'],
    ],
    [
      'Minify false: neither --minify nor the default',
      { EntryPoints: [ENTRY], Minify: false },
      [ENTRY, ...ALWAYS, '--target=es2020', '--format=cjs'],
    ],
    [
      'Sourcemap true: --sourcemap',
      { EntryPoints: [ENTRY], Sourcemap: true },
      [ENTRY, ...ALWAYS, ...DEFAULTS, '--sourcemap'],
    ],
    [
      'Sourcemap false: no flag',
      { EntryPoints: [ENTRY], Sourcemap: false },
      [ENTRY, ...ALWAYS, ...DEFAULTS],
    ],
    [
      'a string value: --flag=value',
      { EntryPoints: [ENTRY], Sourcemap: 'inline' },
      [ENTRY, ...ALWAYS, ...DEFAULTS, '--sourcemap=inline'],
    ],
    [
      'a PascalCase boolean: a kebab-case flag',
      { EntryPoints: [ENTRY], KeepNames: true },
      [ENTRY, ...ALWAYS, ...DEFAULTS, '--keep-names'],
    ],
    [
      'a PascalCase string: a kebab-case flag',
      { EntryPoints: [ENTRY], MainFields: 'module,main' },
      [ENTRY, ...ALWAYS, ...DEFAULTS, '--main-fields=module,main'],
    ],
    [
      'OutExtension list: --out-extension:item',
      { EntryPoints: [ENTRY], OutExtension: ['.js=.mjs'] },
      [ENTRY, ...ALWAYS, ...DEFAULTS, '--out-extension:.js=.mjs'],
    ],
    [
      'Banner list: one argument per item, spaces and all',
      { EntryPoints: [ENTRY], Banner: ["js=import { a } from 'b'; const c = a();"] },
      [ENTRY, ...ALWAYS, ...DEFAULTS, "--banner:js=import { a } from 'b'; const c = a();"],
    ],
    [
      'External list: one flag per item',
      { EntryPoints: [ENTRY], External: ['@aws-sdk/*', 'pg-native'] },
      [ENTRY, ...ALWAYS, ...DEFAULTS, '--external:@aws-sdk/*', '--external:pg-native'],
    ],
    [
      'an empty list: no flag',
      { EntryPoints: [ENTRY], External: [] },
      [ENTRY, ...ALWAYS, ...DEFAULTS],
    ],
    [
      'Bundle, Platform and Outdir: ignored',
      { EntryPoints: [ENTRY], Bundle: false, Platform: 'browser', Outdir: 'elsewhere' },
      [ENTRY, ...ALWAYS, ...DEFAULTS],
    ],
    [
      'UseNpmCi: not a flag',
      { EntryPoints: [ENTRY], UseNpmCi: true },
      [ENTRY, ...ALWAYS, ...DEFAULTS],
    ],
    [
      'entry points first, flags in property order, whatever order the properties come in',
      { Sourcemap: true, KeepNames: true, EntryPoints: ['a.ts', 'b.ts'], Format: 'esm' },
      // The missing defaults come before the properties' flags, which keep the properties' order.
      [
        ...['a.ts', 'b.ts', ...ALWAYS, '--target=es2020', '--minify'],
        ...['--sourcemap', '--keep-names', '--format=esm'],
      ],
    ],
  ])('maps %s', (_, properties, expected) => {
    // Act
    const args = esbuildArguments(properties, OUT);

    // Assess
    expect(args).toEqual(expected);
  });

  it.each<[string, BuildProperties | undefined, RegExp]>([
    ['no BuildProperties', undefined, /EntryPoints/],
    ['no EntryPoints', { Format: 'esm' }, /EntryPoints/],
    ['an empty EntryPoints list', { EntryPoints: [] }, /EntryPoints/],
    ['EntryPoints as a string', { EntryPoints: ENTRY }, /EntryPoints/],
    ['a number value', { EntryPoints: [ENTRY], LogLimit: 10 }, /log-limit.*number/],
    ['a map value', { EntryPoints: [ENTRY], Define: { DEBUG: 'false' } }, /define.*object/],
    ['a null value', { EntryPoints: [ENTRY], Target: null }, /target/],
    ['an entry point without its extension', { EntryPoints: ['functions/x/index'] }, /extension/],
    [
      'External ./node_modules/*, which this build does not mirror',
      { EntryPoints: [ENTRY], External: ['./node_modules/*'] },
      /node_modules.*not supported/,
    ],
  ])('refuses %s, as sam build does', (_, properties, message) => {
    expect(() => esbuildArguments(properties, OUT)).toThrow(message);
  });
});

describe('Template: the esbuild functions', () => {
  const workdirs: string[] = [];

  // The template project's global setup has built dist/ from the current source.
  afterAll(() => {
    for (const dir of workdirs) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the target-group-sync function', () => {
    expect(functions.map((fn) => fn.name)).toContain('target-group-sync');
  });

  describe.each(functions.map((fn) => [fn.logicalId, fn] as const))('%s', (_, fn) => {
    const properties = fn.buildProperties;

    it('has Handler index.handler and entry points that exist', () => {
      expect(fn.handler).toBe('index.handler');
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
        const loaded = importInNode(bundle);

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

    it("has a source map that covers the entry point's directory", () => {
      // Act
      const text = readFileSync(bundleOf(fn.name), 'utf8');
      const map = JSON.parse(readFileSync(`${bundleOf(fn.name)}.map`, 'utf8')) as {
        version: number;
        sources: string[];
      };

      // Assess
      expect(text.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      expect(map.version).toBe(3);
      // A re-exporting entry file adds no code of its own, so look for its directory's files.
      const directory = `${dirname(listProperty(properties, 'EntryPoints')[0] ?? '?')}/`;
      const outdir = join(ROOT, 'dist', fn.name);
      const sources = map.sources.map((source) => relative(ROOT, resolve(outdir, source)));
      expect(sources.filter((source) => source.startsWith(directory))).not.toHaveLength(0);
    });

    it(
      'is byte for byte the bundle the sam build esbuild command makes',
      () => {
        // Prepare
        const outdir = mkdtempSync(join(tmpdir(), `sam-build-${fn.name}-`));
        workdirs.push(outdir);

        // Act: the command line sam build runs, from the CodeUri directory as sam build does.
        execFileSync(ESBUILD, esbuildArguments(properties, outdir), {
          cwd: resolve(ROOT, fn.codeUri),
          stdio: 'pipe',
        });

        // Assess
        const dist = join(ROOT, 'dist', fn.name);
        expect(readdirSync(outdir).sort()).toEqual(readdirSync(dist).sort());
        const rebuilt = readFileSync(join(outdir, 'index.mjs'));
        const built = readFileSync(bundleOf(fn.name));
        expect(
          rebuilt.equals(built),
          `dist/${fn.name}/index.mjs differs from the sam build bundle (stale? run npm run build)`,
        ).toBe(true);
      },
      budgetFor({ build: 1 }),
    );

    it("follows the project's build rules", () => {
      expect(properties.Format).toBe('esm');
      expect(listProperty(properties, 'OutExtension')).toContain('.js=.mjs');
      expect(properties.Sourcemap).toBe(true);
      expect(properties.KeepNames).toBe(true);
      expect(nodeTargetMajor(properties.Target)).toBeGreaterThanOrEqual(22);
    });

    it('runs on nodejs22.x or newer, on arm64, no older than the bundle targets', () => {
      // Prepare
      const resource = template.Resources[fn.logicalId];
      const setting = (key: string): unknown =>
        resource?.Properties?.[key] ?? template.Globals?.Function?.[key];

      // Act
      const runtime = String(setting('Runtime'));
      const runtimeMajor = Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);

      // Assess
      expect(runtime).toMatch(/^nodejs\d+\.x$/);
      expect(runtimeMajor).toBeGreaterThanOrEqual(22);
      expect(setting('Architectures')).toEqual(['arm64']);
      expect(nodeTargetMajor(properties.Target)).toBeLessThanOrEqual(runtimeMajor);
    });
  });
});
