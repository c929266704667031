#!/usr/bin/env node
// The `alb-static-ip` command (package.json's bin, built to dist/cli/alb-static-ip.mjs).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
