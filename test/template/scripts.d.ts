// Types for the project's build scripts, which are plain ES modules without declarations. Pattern
// declarations, because an ambient module may not be named by a relative path.

declare module '*/scripts/sam-esbuild.mjs' {
  /** A function's `Metadata.BuildProperties`, as written in the template. */
  export type BuildProperties = Record<string, unknown>;

  export interface EsbuildFunction {
    logicalId: string;
    /** The bundle's directory under dist/: the entry point's directory name. */
    name: string;
    codeUri: string;
    buildProperties: BuildProperties;
  }

  export function esbuildArguments(
    buildProperties: BuildProperties | undefined,
    outdir: string,
  ): string[];
  export function esbuildFunctions(template: unknown): EsbuildFunction[];
}

declare module '*/scripts/cloudformation-yaml.mjs' {
  export function parseTemplate(text: string): unknown;
  export function readTemplate(path: string): unknown;
}

declare module '*/scripts/sar-template.mjs' {
  export class SarTemplateError extends Error {
    readonly problems: string[];
    constructor(problems: string[]);
  }
  export interface SarTemplateOptions {
    /** The conditions to fix, by name, such as `{ CreateNlb: false }`. */
    knownConditions: Record<string, boolean>;
    /** Whether a resource type may remain. */
    listed: (type: string) => boolean;
    /** Rules to add, or to put in place of the template's rules of the same name. */
    rules?: Record<string, unknown>;
  }
  /** The template partially evaluated with the known conditions; throws SarTemplateError. */
  export function sarTemplate<T extends object>(template: T, options: SarTemplateOptions): T;
}

declare module '*/scripts/sar-pack.mjs' {
  import type { SarTemplateOptions } from '*/scripts/sar-template.mjs';

  export interface SupportedTypesRecord {
    types: Record<string, 'listed' | 'not listed'>;
    [key: string]: unknown;
  }
  export const SUPPORTED_TYPES_RECORD: string;
  export const SAR_PACK_RULES: Record<string, unknown>;
  export function readSupportedTypes(root: string): SupportedTypesRecord;
  export function listedIn(record: SupportedTypesRecord): (type: string) => boolean;
  export function sarPackOptions(listed: (type: string) => boolean): Required<SarTemplateOptions>;
  export function sarPackTemplate<T extends object>(template: T, record: SupportedTypesRecord): T;
}

declare module '*/scripts/complete-lockfile.mjs' {
  export interface Platform {
    os: string[];
    cpu: string[];
    libc?: string[];
  }
  export function platformOf(name: string): Platform | undefined;
  export function completeLockfile(lock: {
    packages: Record<string, Record<string, unknown>>;
  }): string[];
}

declare module '*/scripts/mutation-thresholds.mjs' {
  export interface MutantLike {
    status: string;
  }
  export interface ReportLike {
    files?: Record<string, { mutants?: MutantLike[] }>;
  }
  export interface ScoreRow {
    module: string;
    threshold: number;
    score: number | null;
    ok: boolean;
    missing?: boolean;
    detected?: number;
    valid?: number;
  }
  export interface ScoreCheck {
    rows: ScoreRow[];
    unlisted: string[];
    ok: boolean;
  }
  export const REPORT_PATH: string;
  export const MUTATION_THRESHOLDS: Record<string, number>;
  export function checkScores(
    report: ReportLike,
    thresholds: Record<string, number>,
    root?: string,
  ): ScoreCheck;
  export function formatScores(check: ScoreCheck): string;
}

declare module '*/stryker.config.mjs' {
  const config: {
    mutate: string[];
    vitest: { configFile: string; related: boolean };
    incremental: boolean;
    incrementalFile: string;
    [key: string]: unknown;
  };
  export default config;
}

declare module '*/scripts/python-tools.mjs' {
  export const ROOT: string;
  export const REQUIREMENTS: string;
  export const VENV_BIN: string;
  export const TOOLS: Record<'moto_server' | 'cfn-lint' | 'aws' | 'aws-sam-translator', string>;
  export type Tool = keyof typeof TOOLS;
  export function readRequirements(root?: string): Record<string, string>;
  export function withProjectTools(env: NodeJS.ProcessEnv, root?: string): NodeJS.ProcessEnv;
  export function missingTools(tools: readonly Tool[], env: NodeJS.ProcessEnv): Tool[];
  export function installAdvice(missing: readonly Tool[], root?: string): string;
}

declare module '*/scripts/under-load.mjs' {
  export interface UnderLoadOptions {
    runs: number;
    burners: number;
    keepGoing: boolean;
    command: string[];
  }
  export function parseArguments(
    argv: readonly string[],
  ): { options: UnderLoadOptions; error?: undefined } | { error: string; options?: undefined };
  export function summarize(results: readonly { code: number; ms: number }[]): string;
}

declare module '*/scripts/stable-incremental.mjs' {
  export interface IncrementalReport {
    schemaVersion?: string;
    files: Record<string, { mutants: Record<string, unknown>[]; [key: string]: unknown }>;
    testFiles?: Record<string, { tests: Record<string, unknown>[]; source?: string }>;
    [key: string]: unknown;
  }
  export function canonicalReport(report: IncrementalReport): IncrementalReport;
  export function formatReport(report: IncrementalReport): string;
}
