// Keeps the test cluster's processes tied to the test run: it starts them, and when the test runner
// goes away (its stdin closes, for any reason, including a crash or Ctrl-C) or asks it to stop, it stops
// them and removes the cluster's directory.
//
// Commands on stdin, one a line:
//   stop             stop every process and exit
//   stop <name>      stop one process (SIGTERM); answers "stopped <name>" once it has exited
//   kill <name>      the same with SIGKILL, as a crash; answers "killed <name>"
//   start <name>     start a stopped process again with the same arguments; answers "started <name>"
// Other answers: "error <message>". A process that exits without being asked to stops the cluster.
// At start it writes "pids {<name>: <pid>, ...}", then "started". A process may name extra environment
// variables in `env`.
import { spawn } from 'node:child_process';
import { openSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

const config = JSON.parse(process.argv[2]);
/** name -> { proc, child, asked } where `asked` is set when we stopped it on purpose. */
const running = new Map();
let stopping = false;

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child) {
  return exited(child) ? Promise.resolve() : new Promise((r) => child.once('exit', r));
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  const children = [...running.values()].map((e) => e.child);
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 5000);
  Promise.all(children.map(waitExit)).then(() => {
    clearTimeout(force);
    if (config.removeDir) rmSync(config.removeDir, { recursive: true, force: true });
    process.exit(code);
  });
}

function launch(proc) {
  const log = openSync(proc.log, 'a');
  const child = spawn(proc.command, proc.args, {
    stdio: ['ignore', log, log],
    ...(proc.env ? { env: { ...process.env, ...proc.env } } : {}),
  });
  const entry = { proc, child, asked: false };
  child.on('exit', (code, signal) => {
    if (!stopping && !entry.asked) {
      process.stderr.write(
        `${proc.name} exited unexpectedly (code ${code}, signal ${signal}); see ${proc.log}\n`,
      );
      stop(1);
    }
  });
  running.set(proc.name, entry);
}

async function stopOne(name, signal) {
  const entry = running.get(name);
  if (!entry) throw new Error(`no process named ${name}`);
  entry.asked = true;
  entry.child.kill(signal);
  const force = setTimeout(() => entry.child.kill('SIGKILL'), 5000);
  await waitExit(entry.child);
  clearTimeout(force);
}

function startOne(name) {
  const entry = running.get(name);
  if (!entry) throw new Error(`no process named ${name}`);
  if (!exited(entry.child)) throw new Error(`${name} is running`);
  launch(entry.proc);
}

async function command(line) {
  const [verb, name] = line.trim().split(/\s+/);
  if (verb === 'stop' && !name) return stop(0);
  try {
    if (verb === 'stop' || verb === 'kill') {
      await stopOne(name, verb === 'kill' ? 'SIGKILL' : 'SIGTERM');
      process.stdout.write(`${verb === 'kill' ? 'killed' : 'stopped'} ${name}\n`);
    } else if (verb === 'start') {
      startOne(name);
      process.stdout.write(`started ${name}\n`);
    } else if (verb) {
      throw new Error(`unknown command: ${line.trim()}`);
    }
  } catch (err) {
    process.stdout.write(`error ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

for (const proc of config.processes) launch(proc);

createInterface({ input: process.stdin }).on('line', (line) => void command(line));
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdout.write(
  `pids ${JSON.stringify(Object.fromEntries([...running].map(([name, e]) => [name, e.child.pid])))}\n`,
);
process.stdout.write('started\n');
