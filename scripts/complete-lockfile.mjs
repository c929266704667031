// `npm run lockfile`: completes package-lock.json with the other platforms' optional binaries.
//
// Some registries serve a package's native binaries only for some platforms (here: rollup's and
// Biome's). npm 11 then leaves the missing ones out of the lockfile, and `npm ci` refuses that very
// lockfile ("Missing: @rollup/rollup-darwin-arm64@ from lock file"). This adds an entry for each
// missing optional dependency with the platform its name declares, so `npm ci` sees a complete
// lockfile and skips those packages as foreign to this machine, without fetching them. Run it after
// every `npm install` that changes the lockfile; CI's `npm ci` fails if it was forgotten.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
  'aix',
];
const CPU = [
  'arm64',
  'x64',
  'arm',
  'ia32',
  'loong64',
  'ppc64',
  'riscv64',
  's390x',
  'mips64el',
  'wasm32',
];

/** The platform a native-binary package name declares, e.g. `rollup-linux-x64-musl`. */
export function platformOf(name) {
  const parts = name.slice(name.lastIndexOf('/') + 1).split('-');
  const os = parts.find((part) => OS.includes(part));
  const cpu = parts.find((part) => CPU.includes(part));
  if (!os || !cpu) return undefined;
  const platform = { os: [os], cpu: [cpu] };
  if (os === 'linux')
    platform.libc = [parts.some((part) => part.startsWith('musl')) ? 'musl' : 'glibc'];
  return platform;
}

/** Adds the missing optional platform packages to a parsed lockfile; returns their names. */
export function completeLockfile(lock) {
  const packages = lock.packages;
  const added = [];
  for (const [location, entry] of Object.entries(packages)) {
    for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
      if (resolvesTo(packages, location, name)) continue;
      const platform = platformOf(name);
      if (!platform || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) {
        throw new Error(
          `${location || 'the project'} needs optional ${name}@${range}, which is not in the lockfile and is not a platform binary this script can describe`,
        );
      }
      packages[`node_modules/${name}`] = {
        version: range,
        ...(entry.dev ? { dev: true } : {}),
        optional: true,
        ...platform,
      };
      added.push(`${name}@${range}`);
    }
  }
  const [root, ...rest] = Object.entries(packages);
  lock.packages = Object.fromEntries([
    root,
    ...rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
  return added;
}

/** Whether node's resolution from `location` finds `name` in the lockfile. */
function resolvesTo(packages, location, name) {
  let dir = location;
  while (true) {
    if (`${dir ? `${dir}/` : ''}node_modules/${name}` in packages) return true;
    if (!dir) return false;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent < 0 ? '' : dir.slice(0, parent);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'package-lock.json');
  const lock = JSON.parse(readFileSync(path, 'utf8'));
  const added = completeLockfile(lock);
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    added.length
      ? `added ${added.length} platform package(s): ${added.join(', ')}`
      : 'lockfile already complete',
  );
}
