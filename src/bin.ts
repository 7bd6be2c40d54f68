// The executable's first module (dist/cli.js imports it): refuses a Node.js older than package.json's
// engines range before the server, which breaks on it, is loaded. Imports nothing else statically.
import { readFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { nodeVersionProblem } from './node-version.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  engines?: { node?: string };
};
const problem = nodeVersionProblem(process.versions.node, pkg.engines?.node ?? '', process.execPath);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  // V8 keeps the compiled code of the bundle on disk (the OS temporary directory) for the next start:
  // about a third of the time to load the Kubernetes client on the first call. Off with
  // NODE_DISABLE_COMPILE_CACHE=1; where the directory cannot be written, nothing is cached.
  enableCompileCache();
  void import('./cli.js');
}
