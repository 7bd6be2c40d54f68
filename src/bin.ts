// The executable's first module (dist/cli.js imports it): refuses a Node.js older than package.json's
// engines range before the server, which breaks on it, is loaded. Imports nothing else statically.
import { readFileSync } from 'node:fs';
import { nodeVersionProblem } from './node-version.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines?: { node?: string };
};
const problem = nodeVersionProblem(process.versions.node, pkg.engines?.node ?? '', process.execPath);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  void import('./cli.js');
}
