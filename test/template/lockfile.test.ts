import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeLockfile, platformOf } from '../../scripts/complete-lockfile.mjs';
import { ROOT } from './cloudformation.js';

describe('Function: platformOf', () => {
  it.each([
    ['@rollup/rollup-darwin-arm64', { os: ['darwin'], cpu: ['arm64'] }],
    ['@rollup/rollup-linux-x64-musl', { os: ['linux'], cpu: ['x64'], libc: ['musl'] }],
    ['@rollup/rollup-linux-arm-gnueabihf', { os: ['linux'], cpu: ['arm'], libc: ['glibc'] }],
    ['@rollup/rollup-win32-ia32-msvc', { os: ['win32'], cpu: ['ia32'] }],
    ['@biomejs/cli-linux-arm64', { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] }],
  ])('reads %s', (name, platform) => {
    expect(platformOf(name)).toEqual(platform);
  });

  it('reads nothing from a name that declares no platform', () => {
    expect(platformOf('fsevents')).toBeUndefined();
  });
});

describe('Function: completeLockfile', () => {
  it('adds a missing optional platform binary, and only that', () => {
    // Prepare
    const lock: { packages: Record<string, Record<string, unknown>> } = {
      packages: {
        '': { name: 'x' },
        'node_modules/tool': {
          version: '1.0.0',
          dev: true,
          optionalDependencies: { 'tool-linux-x64': '1.0.0', 'tool-darwin-arm64': '1.0.0' },
        },
        'node_modules/tool-linux-x64': { version: '1.0.0', dev: true, optional: true },
      },
    };

    // Act
    const added = completeLockfile(lock);

    // Assess
    expect(added).toEqual(['tool-darwin-arm64@1.0.0']);
    expect(lock.packages['node_modules/tool-darwin-arm64']).toEqual({
      version: '1.0.0',
      dev: true,
      optional: true,
      os: ['darwin'],
      cpu: ['arm64'],
    });
    expect(Object.keys(lock.packages)[0]).toBe('');
    expect(completeLockfile(lock)).toEqual([]);
  });

  it('counts a binary nested under its parent as present', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/a': { optionalDependencies: { 'a-linux-x64': '2.0.0' } },
        'node_modules/a/node_modules/a-linux-x64': { version: '2.0.0' },
      },
    };
    expect(completeLockfile(lock)).toEqual([]);
  });

  it('refuses a missing optional dependency it cannot describe', () => {
    const lock = {
      packages: { '': {}, 'node_modules/a': { optionalDependencies: { fsevents: '2.3.3' } } },
    };
    expect(() => completeLockfile(lock)).toThrow(/needs optional fsevents@2.3.3/);
  });

  it('finds the committed lockfile complete (else run: npm run lockfile)', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    expect(completeLockfile(lock)).toEqual([]);
  });
});
