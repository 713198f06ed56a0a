#!/usr/bin/env node
'use strict';
// The CLI runs from the compiled output; `npm run build` (or the README's set-up script) makes it.
let main;
try {
  ({ main } = require('../dist/cli/main.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main/.test(error.message)) {
    process.stderr.write('error: hoist is not built; run "npm run build" in ' + require('node:path').resolve(__dirname, '..') + '\n');
    process.exit(1);
  }
  throw error;
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
