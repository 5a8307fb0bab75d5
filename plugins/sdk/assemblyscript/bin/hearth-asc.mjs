#!/usr/bin/env node
// hearth-asc: the AssemblyScript compiler with @hearth/plugin-api's
// asconfig.json (the transform that makes the hook exports, the minimal
// runtime, -O3). Use it like asc:
//
//   npx hearth-asc assembly/index.ts --outFile plugin.wasm
//
// Why not `asc --config node_modules/@hearth/plugin-api/asconfig.json`:
// asc 0.28 resolves a transform named in a config file that sits in a
// nested relative folder as a package name and fails to find it; given the
// config's absolute path it works, which is all this does (plus skipping
// asc's own re-spawn of node for source maps). Options on the command line
// win over the config's; `--config yours.json` replaces it.

import { main } from "assemblyscript/asc";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
if (!args.includes("--config")) args.push("--config", join(pkg, "asconfig.json"));
const { error } = await main(args, { stdout: process.stdout, stderr: process.stderr });
if (error) process.exitCode = 1;
