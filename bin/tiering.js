#!/usr/bin/env node
"use strict";
// Compiled by `npm ci` (prepare) or `npm run build:node`; the CLI's source is cli/.
const { runCli } = require("../dist/cli/main.js");
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
