#!/usr/bin/env node
// Compiles the public construct API with jsii and fails on any error or warning.
//
// jsii.json holds the jsii settings (targets, output). jsii itself only reads the "jsii" key
// of package.json, so this script first checks that the two are identical: edit jsii.json,
// then copy it into package.json (the check prints the command).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const settings = JSON.parse(readFileSync('jsii.json', 'utf8'));
if (!isDeepStrictEqual(pkg.jsii, settings)) {
  console.error('jsii: package.json "jsii" differs from jsii.json; copy it over with:\n' +
    `  node -e "const f=require('fs');const p=JSON.parse(f.readFileSync('package.json'));p.jsii=JSON.parse(f.readFileSync('jsii.json'));f.writeFileSync('package.json',JSON.stringify(p,null,2)+'\\n')"`);
  process.exit(1);
}

const result = spawnSync(process.execPath, ['node_modules/jsii/bin/jsii', '--generate-tsconfig', 'tsconfig.jsii.json', '--fail-on-warnings'], {
  encoding: 'utf8',
  env: { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '1' },
});
const output = (result.stdout + result.stderr).split('\n').filter((line) => !line.startsWith('!!')).join('\n').trim();
if (output) console.log(output);
if (result.status !== 0) {
  console.error('jsii: the public API is not jsii-compatible (see above)');
  process.exit(1);
}

// The assembly must hold the construct API and nothing internal.
const assembly = JSON.parse(readFileSync('.jsii', 'utf8'));
const types = Object.keys(assembly.types).map((fqn) => fqn.replace(/^hoist\./, ''));
const required = ['App', 'Stack', 'Host', 'Inventory', 'Image', 'BuildStage', 'Service', 'Volume', 'Network', 'Secret', 'Mount', 'HealthCheck', 'Testing'];
const missing = required.filter((name) => !types.includes(name));
if (missing.length) {
  console.error(`jsii: the assembly lacks ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`jsii: ${types.length} public types compile for ${Object.keys(assembly.targets ?? {}).join(', ')}`);
