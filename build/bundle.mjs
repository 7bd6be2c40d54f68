// Builds dist/: one ESM bundle of the server with code splitting, so that the Kubernetes client, the HTTP
// transport and YAML load on first use and not before initialize (docs/benchmarks.md).
import { chmod, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const clientNode = /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]/;

/**
 * Loads less on the first cluster call. @kubernetes/client-node's index re-exports every generated API
 * and model, and its package does not say that its modules have no side effects, so the bundler kept all
 * of them; it has none, so only the modules whose exports are used stay. `undici` resolves to the parts
 * of it in use (build/undici.mjs) instead of its index, which loads all of undici.
 */
const loadLess = {
  name: 'load-less',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({
      path: fileURLToPath(new URL('undici.mjs', import.meta.url)),
      sideEffects: false,
    }));
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (
        args.pluginData === 'load-less' ||
        !(clientNode.test(args.importer) || args.path === '@kubernetes/client-node')
      ) {
        return undefined;
      }
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'load-less',
      });
      if (resolved.errors.length > 0 || !clientNode.test(resolved.path)) return resolved;
      return { ...resolved, sideEffects: false };
    });
  },
};

/**
 * Node.js's own `http` and `https` through require(), not import: importing them as ES modules makes
 * Node.js read every export, among them the WebSocket classes, which load its internal copy of undici
 * (20 to 30 ms on the first cluster call, measured).
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
      args.namespace === 'builtin-by-require'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'builtin-by-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require('node:${args.path}');`,
      loader: 'js',
    }));
  },
};

await rm(`${root}dist`, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/bin.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  outdir: 'dist/src',
  logLevel: 'warning',
  // Bundled CommonJS modules call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __fluxOpsMcpRequire } from 'node:module'; const require = __fluxOpsMcpRequire(import.meta.url);",
  },
  plugins: [loadLess, builtinsByRequire],
});
await writeFile(`${root}dist/cli.js`, '#!/usr/bin/env node\nimport "./src/bin.js";\n');
await chmod(`${root}dist/cli.js`, 0o755);
