// Keeps the test cluster's processes tied to the test run: it starts them, and when the test runner
// goes away (its stdin closes, for any reason, including a crash or Ctrl-C) or asks it to stop, it stops
// them and removes the cluster's directory.
//
// Commands on stdin, one a line:
//   stop             stop every process and exit
//   stop <name>      stop one process (SIGTERM); answers "stopped <name>" once it has exited
//   kill <name>      the same with SIGKILL, as a crash; answers "killed <name>"
//   start <name>     start a stopped process again with the same arguments; answers "started <name>"
//   add <json>       start one more process (as in the configuration); answers "added <name> <pid>"
// Other answers: "error <message>". A process that exits without being asked to stops the cluster.
// At start it writes "pids {<name>: <pid>, ...}", then "started". A process may name extra environment
// variables in `env`, and a `criLog` file: its output is written there too, one line per line in the
// format of the Container Runtime Interface (`<RFC 3339 time> <stream> F <line>`, what a kubelet reads
// container logs from), so that kwok serves it as a container's log through the API server. A process
// marked `mayExit` that exits is reported as "exited <name> <code>" instead of stopping the cluster.
import { spawn } from 'node:child_process';
import { openSync, rmSync, writeSync } from 'node:fs';
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

/** Copies a stream to the plain log and, line by line, to the CRI log. */
function copyOutput(stream, name, log, cri) {
  let partial = '';
  stream.on('data', (chunk) => {
    writeSync(log, chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop();
    const time = new Date().toISOString().replace(/Z$/, '000000Z');
    if (lines.length > 0) writeSync(cri, lines.map((l) => `${time} ${name} F ${l}\n`).join(''));
  });
}

function launch(proc) {
  const log = openSync(proc.log, 'a');
  const cri = proc.criLog ? openSync(proc.criLog, 'a') : undefined;
  const child = spawn(proc.command, proc.args, {
    stdio: ['ignore', cri === undefined ? log : 'pipe', cri === undefined ? log : 'pipe'],
    ...(proc.env ? { env: { ...process.env, ...proc.env } } : {}),
  });
  if (cri !== undefined) {
    copyOutput(child.stdout, 'stdout', log, cri);
    copyOutput(child.stderr, 'stderr', log, cri);
  }
  const entry = { proc, child, asked: false };
  child.on('exit', (code, signal) => {
    if (!stopping && !entry.asked && proc.mayExit) {
      // The caller decides (e.g. to start it again on another port).
      if (running.get(proc.name) === entry) running.delete(proc.name);
      process.stdout.write(`exited ${proc.name} ${code ?? signal}\n`);
    } else if (!stopping && !entry.asked) {
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
    if (verb === 'add') {
      const proc = JSON.parse(line.trim().slice('add'.length));
      if (running.has(proc.name)) throw new Error(`a process named ${proc.name} exists`);
      launch(proc);
      process.stdout.write(`added ${proc.name} ${running.get(proc.name).child.pid}\n`);
    } else if (verb === 'stop' || verb === 'kill') {
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
