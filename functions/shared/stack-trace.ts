import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces mapped to the TypeScript sources, read only when an error is logged or thrown. The
 * bundles' source maps are external (template.yaml: `Sourcemap: external`, no sourceMappingURL
 * comment), so Node.js reads none at load even with --enable-source-maps, which costs every cold
 * start; an error reads the map next to the file its frames point at, with Node's own
 * `module.SourceMap`. https://nodejs.org/api/module.html#class-modulesourcemap
 */

/** Where a generated position came from, 1-based, as `SourceMap.findOrigin` gives it. */
export interface Origin {
  readonly fileName: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
  /** The identifier written at that position, when the minifier renamed it. */
  readonly name?: string;
}

/** The origin of a 1-based line and column of a generated file; undefined when not mapped. */
export type OriginLookup = (file: string, line: number, column: number) => Origin | undefined;

interface Frame {
  /** `    at ` or `    at async `. */
  readonly prefix: string;
  readonly name: string | undefined;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** `    at NAME (FILE:LINE:COLUMN)` or `    at FILE:LINE:COLUMN`, as V8 writes a frame. */
const FRAME = /^(\s*at (?:async )?)(?:(.+) \((.+):(\d+):(\d+)\)|(.+):(\d+):(\d+))$/;

function parseFrame(line: string): Frame | undefined {
  const match = FRAME.exec(line);
  if (match === null) return undefined;
  const [, prefix = '', name, file, row, column, bareFile, bareRow, bareColumn] = match;
  return {
    prefix,
    name,
    file: file ?? bareFile ?? '',
    line: Number(row ?? bareRow),
    column: Number(column ?? bareColumn),
  };
}

/**
 * The stack with each frame that `lookup` maps rewritten to its origin; every other line (the
 * message, frames of other files, frames the map does not cover) as it was. A frame's name is the
 * one its caller's call site had in the source when the map has it (the next frame's origin),
 * as Node.js names frames with --enable-source-maps; else the name V8 gave.
 */
export function mapStackTrace(stack: string, lookup: OriginLookup): string {
  const lines = stack.split('\n');
  const frames = lines.map(parseFrame);
  const origins = frames.map((frame) =>
    frame === undefined ? undefined : lookup(frame.file, frame.line, frame.column),
  );
  return lines
    .map((line, index) => {
      const frame = frames[index];
      const origin = origins[index];
      if (frame === undefined || origin === undefined) return line;
      const location = `${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}`;
      const name = origins[index + 1]?.name ?? frame.name;
      return name === undefined
        ? `${frame.prefix}${location}`
        : `${frame.prefix}${name} (${location})`;
    })
    .join('\n');
}

/** `../../functions/x.ts` -> `functions/x.ts`: a source's path as the map gives it, from the project. */
export function sourcePath(source: string): string {
  return source.replace(/^(\.\.?\/)+/, '');
}

/**
 * Looks frames up in the source maps of the files of one directory (the function's: its entry and
 * chunks), each map read once, when a frame first needs it. A file elsewhere, or without a map
 * that can be read and parsed, is not mapped.
 */
export function sourceMapLookup(
  directory: string,
  readText: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): OriginLookup {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (path: string): SourceMap | undefined => {
    if (!maps.has(path)) {
      let map: SourceMap | undefined;
      try {
        map = new SourceMap(JSON.parse(readText(`${path}.map`)) as SourceMapPayload);
      } catch {
        map = undefined;
      }
      maps.set(path, map);
    }
    return maps.get(path);
  };
  return (file, line, column) => {
    const path = file.startsWith('file://') ? fileURLToPath(file) : file;
    if (!isAbsolute(path) || dirname(path) !== directory) return undefined;
    const origin = mapOf(path)?.findOrigin(line, column);
    if (origin === undefined || !('fileName' in origin)) return undefined;
    const { fileName, lineNumber, columnNumber, name } = origin;
    return { fileName: sourcePath(fileName), lineNumber, columnNumber, name };
  };
}

/** Errors already mapped, so that logging an error and then throwing it maps it once. */
const mapped = new WeakSet<Error>();
/** The lookup of this module's directory, the function's own once bundled, made on first use. */
let ownLookup: OriginLookup | undefined;
function functionLookup(): OriginLookup {
  ownLookup ??= sourceMapLookup(dirname(fileURLToPath(import.meta.url)));
  return ownLookup;
}

/**
 * The error with its stack, and its causes' stacks, mapped to the sources, in place; anything else
 * as it is. Returns what it is given.
 */
export function mapErrorStack<T>(error: T, lookup: () => OriginLookup = functionLookup): T {
  let current: unknown = error;
  while (current instanceof Error && !mapped.has(current)) {
    mapped.add(current);
    if (typeof current.stack === 'string') current.stack = mapStackTrace(current.stack, lookup());
    current = current.cause;
  }
  return error;
}

/** A handler whose errors leave it with their stacks mapped, for Lambda's log of the failure. */
export function withMappedStacks<Event, Context, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
  lookup?: () => OriginLookup,
): (event: Event, context: Context) => Promise<Result> {
  return async (event, context) => {
    try {
      return await handler(event, context);
    } catch (error) {
      throw mapErrorStack(error, lookup);
    }
  };
}
