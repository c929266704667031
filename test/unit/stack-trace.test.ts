import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  mapErrorStack,
  mapStackTrace,
  type Origin,
  type OriginLookup,
  sourceMapLookup,
  sourcePath,
  withMappedStacks,
} from '../../functions/shared/stack-trace.js';

// Stack traces mapped to the sources only when an error is logged or thrown: the frame rewriting,
// the lookup in the maps next to the bundle's files, and the unlucky paths (no map, an unreadable
// map, frames of other files, a map that does not cover a frame).

const BUNDLE = '/var/task/index.mjs';
const CHUNK = '/var/task/handler-ABC.mjs';

/** A lookup that knows a few positions of the bundle's files; every other is not mapped. */
function fakeLookup(known: Record<string, Origin>): OriginLookup {
  return (file, line, column) => known[`${file}:${line}:${column}`];
}

const origin = (fileName: string, lineNumber: number, name?: string): Origin => ({
  fileName,
  lineNumber,
  columnNumber: 5,
  ...(name === undefined ? {} : { name }),
});

describe('Function: mapStackTrace', () => {
  it('rewrites named, bare and async frames, and leaves the message and other frames', () => {
    // Prepare
    const stack = [
      'TypeError: boom',
      '  on two lines',
      `    at Pe (file://${CHUNK}:1:100)`,
      `    at async file://${CHUNK}:1:200`,
      '    at async Promise.all (index 0)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      `    at Xe (${BUNDLE}:1:300)`,
    ].join('\n');
    const lookup = fakeLookup({
      [`file://${CHUNK}:1:100`]: origin('functions/a.ts', 10),
      [`file://${CHUNK}:1:200`]: origin('functions/b.ts', 20),
      [`${BUNDLE}:1:300`]: origin('functions/c.ts', 30),
    });

    // Act
    const mapped = mapStackTrace(stack, lookup);

    // Assess
    expect(mapped.split('\n')).toEqual([
      'TypeError: boom',
      '  on two lines',
      '    at Pe (functions/a.ts:10:5)',
      '    at async functions/b.ts:20:5',
      '    at async Promise.all (index 0)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at Xe (functions/c.ts:30:5)',
    ]);
  });

  it("names a frame as its caller's call site did in the source, when the map has the name", () => {
    // Prepare: runSync called parseBinding (renamed Pe), which is called here by name.
    const stack = [
      'Error: x',
      `    at Pe (${CHUNK}:1:100)`,
      `    at Ke (${CHUNK}:1:200)`,
      `    at ${CHUNK}:1:300`,
      `    at Qe (${CHUNK}:1:400)`,
    ].join('\n');
    const lookup = fakeLookup({
      [`${CHUNK}:1:100`]: origin('functions/binding.ts', 1),
      [`${CHUNK}:1:200`]: origin('functions/sync.ts', 2, 'parseBinding'),
      [`${CHUNK}:1:300`]: origin('functions/handler.ts', 3, 'runSync'),
      [`${CHUNK}:1:400`]: origin('functions/index.ts', 4),
    });

    // Act
    const mapped = mapStackTrace(stack, lookup);

    // Assess: the last frame has no caller; an unnamed frame gets its caller's name.
    expect(mapped.split('\n')).toEqual([
      'Error: x',
      '    at parseBinding (functions/binding.ts:1:5)',
      '    at runSync (functions/sync.ts:2:5)',
      '    at functions/handler.ts:3:5',
      '    at Qe (functions/index.ts:4:5)',
    ]);
  });

  it('gives an unnamed frame no name when its caller has none either', () => {
    const stack = `Error: x\n    at ${CHUNK}:1:1\n    at ${BUNDLE}:1:2`;
    const lookup = fakeLookup({
      [`${CHUNK}:1:1`]: origin('functions/a.ts', 1),
      [`${BUNDLE}:1:2`]: origin('functions/b.ts', 2),
    });

    expect(mapStackTrace(stack, lookup)).toBe(
      'Error: x\n    at functions/a.ts:1:5\n    at functions/b.ts:2:5',
    );
  });

  it('keeps a frame that the lookup does not map, and does not take its name for the one it called', () => {
    const stack = `Error: x\n    at Pe (${CHUNK}:1:1)\n    at other (/opt/lib.js:7:8)`;
    const calls: [string, number, number][] = [];
    const lookup: OriginLookup = (file, line, column) => {
      calls.push([file, line, column]);
      return file === CHUNK ? origin('functions/a.ts', 1) : undefined;
    };

    expect(mapStackTrace(stack, lookup)).toBe(
      'Error: x\n    at Pe (functions/a.ts:1:5)\n    at other (/opt/lib.js:7:8)',
    );
    expect(calls).toEqual([
      [CHUNK, 1, 1],
      ['/opt/lib.js', 7, 8],
    ]);
  });

  it('leaves a stack without frames as it is, asking nothing', () => {
    const lookup = vi.fn<OriginLookup>();

    expect(mapStackTrace('Error: no frames', lookup)).toBe('Error: no frames');
    expect(lookup).not.toHaveBeenCalled();
  });
});

describe('Function: sourcePath', () => {
  it.each([
    ['../../functions/shared/a.ts', 'functions/shared/a.ts'],
    ['./functions/a.ts', 'functions/a.ts'],
    ['../.././../node_modules/x/index.js', 'node_modules/x/index.js'],
    ['functions/a.ts', 'functions/a.ts'],
    ['src/../a.ts', 'src/../a.ts'],
  ])('makes %s %s', (source, expected) => {
    expect(sourcePath(source)).toBe(expected);
  });
});

describe('Function: sourceMapLookup', () => {
  const directory = mkdtempSync(join(tmpdir(), 'stack-trace-'));
  const bundle = join(directory, 'index.mjs');
  // Line 1 of the bundle is line 1 of a.ts, written `realName` there; line 2 is line 2 of a.ts,
  // written `other`. sparse.mjs's line 1 is not covered; its line 2 is b.ts's line 1, no name.
  writeFileSync(
    `${bundle}.map`,
    JSON.stringify({
      version: 3,
      sources: ['../../functions/a.ts'],
      names: ['realName', 'other'],
      mappings: 'AAAAA;AACAC',
    }),
  );
  writeFileSync(join(directory, 'broken.mjs.map'), '{ not json');
  writeFileSync(
    join(directory, 'sparse.mjs.map'),
    JSON.stringify({ version: 3, sources: ['b.ts'], names: [], mappings: ';AAAA' }),
  );
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('maps a frame of a file URL or path in the directory, through the map next to it', () => {
    // Prepare
    const lookup = sourceMapLookup(directory);

    // Act
    const byUrl = lookup(pathToFileURL(bundle).href, 1, 1);
    const byPath = lookup(bundle, 2, 3);
    const unnamed = lookup(join(directory, 'sparse.mjs'), 2, 1);

    // Assess
    expect(byUrl).toEqual({
      fileName: 'functions/a.ts',
      lineNumber: 1,
      columnNumber: 1,
      name: 'realName',
    });
    expect(byPath).toEqual({
      fileName: 'functions/a.ts',
      lineNumber: 2,
      columnNumber: 3,
      name: 'other',
    });
    expect(unnamed).toEqual({ fileName: 'b.ts', lineNumber: 1, columnNumber: 1, name: undefined });
  });

  it('reads each map once, however many frames it maps', () => {
    const read = vi.fn(
      (path: string) =>
        `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}${path.slice(0, 0)}`,
    );
    const lookup = sourceMapLookup(directory, read);

    lookup(bundle, 1, 1);
    lookup(bundle, 1, 2);

    expect(read.mock.calls).toEqual([[`${bundle}.map`]]);
  });

  it.each([
    ['a file of another directory', '/var/runtime/index.mjs'],
    ['a relative path', 'index.mjs'],
    ['a file of a subdirectory', join(directory, 'sub', 'index.mjs')],
    ['node internals', 'node:internal/process/task_queues'],
  ])('does not map %s, nor read a map for it', (_, file) => {
    const read = vi.fn(() => '{}');

    expect(sourceMapLookup(directory, read)(file, 1, 1)).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });

  it.each([
    ['no map file', join(directory, 'nomap.mjs'), 1],
    ['a map that is not JSON', join(directory, 'broken.mjs'), 1],
    ['a map that does not cover the line', join(directory, 'sparse.mjs'), 1],
  ])('does not map a frame of a file with %s', (_, file, line) => {
    expect(sourceMapLookup(directory)(file, line, 1)).toBeUndefined();
  });

  it('tries an unreadable map once, and remembers it is not there', () => {
    const read = vi.fn((): string => {
      throw new Error('ENOENT');
    });
    const lookup = sourceMapLookup(directory, read);

    expect(lookup(bundle, 1, 1)).toBeUndefined();
    expect(lookup(bundle, 2, 1)).toBeUndefined();
    expect(read).toHaveBeenCalledTimes(1);
  });
});

describe('Function: mapErrorStack', () => {
  const lookup = () => fakeLookup({ [`${CHUNK}:1:1`]: origin('functions/a.ts', 1) });
  const errorAt = (message: string, cause?: unknown) => {
    const error = new Error(message, cause === undefined ? undefined : { cause });
    error.stack = `Error: ${message}\n    at Pe (${CHUNK}:1:1)`;
    return error;
  };

  it('maps the stack of the error and of each cause, in place, and returns the error', () => {
    // Prepare
    const root = errorAt('root');
    const error = errorAt('top', errorAt('middle', root));

    // Act
    const returned = mapErrorStack(error, lookup);

    // Assess
    expect(returned).toBe(error);
    for (const [mapped, message] of [
      [error, 'top'],
      [error.cause, 'middle'],
      [root, 'root'],
    ] as const) {
      expect((mapped as Error).stack).toBe(`Error: ${message}\n    at Pe (functions/a.ts:1:5)`);
    }
  });

  it('maps an error once: logged, then thrown, it is not looked up again', () => {
    const error = errorAt('once');
    const counted = vi.fn(lookup);

    mapErrorStack(error, counted);
    mapErrorStack(error, counted);

    expect(counted).toHaveBeenCalledTimes(1);
  });

  it('stops at a cause that is not an Error, and leaves an error without a stack', () => {
    const error = errorAt('top', 'a string cause');
    const bare = new Error('bare');
    Object.defineProperty(bare, 'stack', { value: undefined });
    const counted = vi.fn(lookup);

    mapErrorStack(error, counted);
    mapErrorStack(bare, counted);

    expect(error.cause).toBe('a string cause');
    expect(bare.stack).toBeUndefined();
    expect(counted).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an object', { stack: `Error\n    at Pe (${CHUNK}:1:1)` }],
  ])('returns %s as it is', (_, value) => {
    const counted = vi.fn(lookup);

    expect(mapErrorStack(value, counted)).toBe(value);
    expect(counted).not.toHaveBeenCalled();
  });

  it("by default maps through the maps of its own directory, and leaves the sources' frames", () => {
    // Under vitest this module is functions/shared/stack-trace.ts: no map sits next to it.
    const error = new Error('from the sources');
    const before = error.stack;

    mapErrorStack(error);

    expect(error.stack).toBe(before);
  });
});

describe('Function: withMappedStacks', () => {
  const lookup = () => fakeLookup({ [`${CHUNK}:1:1`]: origin('functions/a.ts', 1) });

  it("returns the handler's result, with its event and context", async () => {
    const handler = vi.fn(async (event: string, context: number) => `${event}:${context}`);

    await expect(withMappedStacks(handler, lookup)('event', 7)).resolves.toBe('event:7');
    expect(handler).toHaveBeenCalledWith('event', 7);
  });

  it('rejects with the same error, its stack mapped', async () => {
    const error = new Error('failed');
    error.stack = `Error: failed\n    at Pe (${CHUNK}:1:1)`;

    const result = withMappedStacks(async () => Promise.reject(error), lookup)(
      undefined,
      undefined,
    );

    await expect(result).rejects.toBe(error);
    expect(error.stack).toBe('Error: failed\n    at Pe (functions/a.ts:1:5)');
  });
});
