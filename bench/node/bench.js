// bench.js: the Node.js peer (async/await on Node's own event loop).
//
//     node bench.js switch|spawn|await|sleepers|timers N
//     node bench.js echo PORT
//
// The same work as the acc programs, written as Node code is written; one
// JSON line with the same field names.  An async function runs eagerly up
// to its first await, so "spawn" is calling one without awaiting it.
'use strict';
const net = require('net');

const now = () => Number(process.hrtime.bigint()) / 1e9;
// VmHWM: maxRSS would include the parent's (execve keeps it)
const rssMb = () => Number(/VmHWM:\s+(\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;

class Event { // asyncio.Event on promises
  constructor() { this.set_ = false; this.waiters = []; }
  wait() { return this.set_ ? Promise.resolve() : new Promise((r) => this.waiters.push(r)); }
  set() { this.set_ = true; for (const r of this.waiters.splice(0)) r(); }
  clear() { this.set_ = false; }
}

async function switchBench(n) {
  const ev = [new Event(), new Event()];
  async function player(me, rounds) {
    for (let i = 0; i < rounds; i++) {
      await ev[me].wait();
      ev[me].clear();
      ev[1 - me].set();
    }
  }
  const t0 = now();
  const a = player(0, n / 2), b = player(1, n / 2);
  ev[0].set();
  await a; await b;
  return { ns_per_op: (now() - t0) * 1e9 / n };
}

async function spawnBench(n) {
  let done = 0;
  async function trivial() { done++; }
  const t0 = now();
  for (let i = 0; i < n; i += 1000) {
    for (let j = 0; j < 1000; j++) trivial();
    await new Promise((r) => setImmediate(r)); // a trip through the loop, as acc_yield
  }
  if (done !== n) throw new Error('lost tasks');
  return { ns_per_op: (now() - t0) * 1e9 / n };
}

async function leaf(x) { return x + 1; }
async function chain(d) { return d === 0 ? 1 : (await chain(d - 1)) + 1; }
function leafJs(x) { return x + 1; }

async function awaitBench(n) {
  let x = 0, s = 0, y = 0;
  const t0 = now();
  for (let i = 0; i < n; i++) x = await leaf(x);
  const t1 = now();
  for (let i = 0; i < n / 1000; i++) s += await chain(999);
  const t2 = now();
  for (let i = 0; i < n; i++) y = leafJs(y);
  const t3 = now();
  return { ns_per_op: (t1 - t0) * 1e9 / n, chain_ns: (t2 - t1) * 1e9 / n, call_ns: (t3 - t2) * 1e9 / n };
}

async function sleepersBench(n) {
  const base = rssMb(), t0 = now();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(Array.from({ length: n }, async () => { await sleep(1000); }));
  const rss = rssMb();
  return { wall_s: now() - t0, rss_mb: rss, bytes_per_task: (rss - base) * 1048576 / n };
}

async function timersBench(n) {
  let seed = 1;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const cancelled = Math.floor((n + 2) / 3);
  let fired = 0, done;
  const all = new Promise((r) => { done = r; });
  const fire = () => { if (++fired === n - cancelled) done(); };
  const t0 = now();
  const hs = new Array(n);
  for (let i = 0; i < n; i++) hs[i] = setTimeout(fire, 1000 + rnd() * 1000);
  for (let i = 0; i < n; i += 3) clearTimeout(hs[i]);
  const t1 = now();
  await all;
  return { ns_per_op: (t1 - t0) * 1e9 / (n + cancelled) };
}

function echo(port) {
  net.createServer({ noDelay: true }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => s.destroy());
  }).listen({ port, host: '127.0.0.1', backlog: 4096 });
}

const [what, arg] = process.argv.slice(2);
const n = arg ? Number(arg) : 1000000;
const benches = { switch: switchBench, spawn: spawnBench, await: awaitBench, sleepers: sleepersBench, timers: timersBench };
if (what === 'echo') echo(n);
else benches[what](n).then((r) => {
  for (const k in r) r[k] = Math.round(r[k] * 100) / 100;
  console.log(JSON.stringify(r));
});
