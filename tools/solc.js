#!/usr/bin/env node
// A `solc` executable over solc-js (npm `solc`), for py-solc-x and brownie, which need a native-style
// binary but only ever speak `--version` and `--standard-json`. solc's own installer downloads
// from the internet; the npm registry is the only place we may fetch the compiler from.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', 'node_modules', 'solc'));

// Write synchronously: process.stdout.write followed by process.exit truncates at 64 KiB.
const out = (text) => {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) off += fs.writeSync(1, buf, off);
};

const args = process.argv.slice(2);
if (args.includes('--version')) {
  out(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  process.stderr.write('this solc facade supports only --version and --standard-json\n');
  process.exit(2);
}

// Imports resolve against the working directory, --base-path, --include-path and --allow-paths.
const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  if (['--base-path', '--include-path'].includes(args[i])) roots.push(args[i + 1]);
  if (args[i] === '--allow-paths') roots.push(...args[i + 1].split(','));
}
const allowed = roots.filter(Boolean).map((r) => path.resolve(r));

function findImports(importPath) {
  for (const candidate of [importPath, ...allowed.map((r) => path.join(r, importPath))]) {
    const full = path.resolve(candidate);
    if (!allowed.some((r) => full === r || full.startsWith(r + path.sep))) continue;
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return { contents: fs.readFileSync(full, 'utf8') };
  }
  return { error: `File not found inside the allowed paths: ${importPath}` };
}

const input = fs.readFileSync(0, 'utf8');
out(solc.compile(input, { import: findImports }));
