// Keeps the test cluster's processes tied to the test run: it starts them, and when the test runner
// goes away (its stdin closes, for any reason, including a crash or Ctrl-C) or asks it to stop, it stops
// them and removes the cluster's directory.
import { spawn } from 'node:child_process';
import { openSync, rmSync } from 'node:fs';

const config = JSON.parse(process.argv[2]);
const children = [];
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 5000);
  Promise.all(
    children.map((c) =>
      c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)),
    ),
  ).then(() => {
    clearTimeout(force);
    if (config.removeDir) rmSync(config.removeDir, { recursive: true, force: true });
    process.exit(code);
  });
}

for (const proc of config.processes) {
  const log = openSync(proc.log, 'a');
  const child = spawn(proc.command, proc.args, {
    stdio: ['ignore', log, log],
    ...(proc.env ? { env: { ...process.env, ...proc.env } } : {}),
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(
        `${proc.name} exited unexpectedly (code ${code}, signal ${signal}); see ${proc.log}\n`,
      );
      stop(1);
    }
  });
  children.push(child);
}

process.stdin.on('data', (d) => {
  if (d.toString().includes('stop')) stop(0);
});
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdout.write(
  `started ${JSON.stringify(Object.fromEntries(children.map((c, i) => [config.processes[i].name, c.pid])))}\n`,
);
