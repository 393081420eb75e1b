// A light load client for the live fan-out benchmarks: it holds many WebSocket subscribers in
// one Node process, sends replies over HTTP, and times each subscriber's receipt of each reply.
// It shares the machine's cores with the server, so it does as little as it can per frame and
// reports its own CPU time beside the results.
//
// Usage: node fanout.mjs '<json options>'; prints one JSON object of results on stdout.
// Options:
//   ws             ws:// URL of the live endpoint
//   subscribers    how many connections to hold
//   subscribe      the frame each connection sends once open (it waits for {"type":"subscribed"})
//   post           http:// URL to POST replies to
//   headers        extra request headers (e.g. Authorization)
//   bodySize       pad each reply body to about this many characters
//   mode           "burst": send `posts` replies, `concurrency` at a time, as fast as they are taken
//                  "rate": send `rate` replies per second for `seconds`
//                  "idle": connect and subscribe, report, then hold until stdin closes
//   settleSeconds  how long to wait for stragglers after the last reply was acknowledged
//   groups         instead of ws/subscribe/post: [{ws, subscribe, post}], several threads (and
//                  servers) at once. Subscriber i joins group i % groups.length, connecting to
//                  its `ws`; reply n goes to group n % groups.length, posted to its `post`. Each
//                  of `ws` and `post` is a URL or a list taken in turn by the group's successive
//                  subscribers or replies, to spread them over processes
//   waitForGo      once every subscriber is in, print {"ready": true} and wait for a line on
//                  stdin before sending, so the caller can sample CPU over the replies alone
import http from "node:http";
import os from "node:os";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const options = JSON.parse(process.argv[2]);
const groups = options.groups || [{ ws: options.ws, subscribe: options.subscribe, post: options.post }];
const groupSizes = groups.map((_, g) =>
  Math.floor((options.subscribers || 0) / groups.length) + (g < (options.subscribers || 0) % groups.length ? 1 : 0));
// Each reply's body starts "bench-<sequence>-x". Frames are searched as bytes, never decoded:
// at tens of thousands of frames a second, decoding them would cost the client more than the rest.
const MARKER = Buffer.from("bench-");
const DASH = 0x2d, X = 0x78, ZERO = 0x30, NINE = 0x39;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const sockets = [];
let received = 0;
let closedEarly = 0;
let duplicates = 0;
let lastReceipt = 0;
const sentAt = new Map(); // sequence -> performance.now() when the POST started
const latencies = []; // milliseconds, one per delivery (rate mode)
// seen[socket * capacity + sequence] is 1 once that socket had that reply.
const capacity = options.mode === "rate" ? Math.round(options.rate * options.seconds) : options.posts || 0;
const seen = new Uint8Array((options.subscribers || 0) * capacity);

function sequenceIn(data) {
  for (let at = data.indexOf(MARKER); at !== -1; at = data.indexOf(MARKER, at + 1)) {
    let value = 0;
    let i = at + MARKER.length;
    const first = i;
    for (; i < data.length && data[i] >= ZERO && data[i] <= NINE; i++) value = value * 10 + data[i] - ZERO;
    if (i > first && data[i] === DASH && data[i + 1] === X) return value;
  }
  return -1; // presence, typing and other frames
}

function connectOne(index) {
  return new Promise((resolve, reject) => {
    const group = groups[index % groups.length];
    const socket = new WebSocket(inTurn(group.ws, index), { perMessageDeflate: false, skipUTF8Validation: true });
    const offset = index * capacity;
    let subscribed = false;
    socket.on("open", () => socket.send(JSON.stringify(group.subscribe)));
    socket.on("message", (data) => {
      if (!subscribed) {
        if (data.toString().includes('"subscribed"')) {
          subscribed = true;
          resolve(socket);
        }
        return;
      }
      const sequence = sequenceIn(data);
      if (sequence < 0 || sequence >= capacity) return;
      if (seen[offset + sequence]) {
        duplicates += 1;
        return;
      }
      seen[offset + sequence] = 1;
      received += 1;
      const now = performance.now();
      lastReceipt = now;
      if (options.mode === "rate") latencies.push(now - sentAt.get(sequence));
    });
    socket.on("close", () => {
      if (!subscribed) reject(new Error("closed before subscribing"));
      else if (!finished) closedEarly += 1;
    });
    socket.on("error", (error) => {
      if (!subscribed) reject(error);
    });
  });
}

async function connectAll() {
  const batch = 200; // stay under the listen backlog
  for (let start = 0; start < options.subscribers; start += batch) {
    const end = Math.min(options.subscribers, start + batch);
    const opening = [];
    for (let i = start; i < end; i++) opening.push(connectOne(i));
    sockets.push(...(await Promise.all(opening)));
  }
}

const padding = "lorem ipsum dolor sit amet ".repeat(Math.ceil((options.bodySize || 200) / 27));

// A group's `ws` or `post` may list several servers: its successive readers or replies take them in turn.
function inTurn(urls, n) {
  return typeof urls === "string" ? urls : urls[Math.floor(n / groups.length) % urls.length];
}

const postUrl = (sequence) => inTurn(groups[sequence % groups.length].post, sequence);

function post(sequence) {
  const body = JSON.stringify({ body: `bench-${sequence}-x ${padding}`.slice(0, options.bodySize || 200) });
  return new Promise((resolve) => {
    sentAt.set(sequence, performance.now());
    const request = http.request(postUrl(sequence), {
      method: "POST", agent,
      headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body),
                 ...(options.headers || {}) },
    }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    request.on("error", () => resolve(0));
    request.end(body);
  });
}

// Busy time of every core on the machine (milliseconds), whoever spent it: the server, the
// database, Redis, this client. Over the measured window it shows whether the machine had any
// core to spare, which decides what a scale-out figure can say.
function machineBusyMs() {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let finished = false;

async function burst() {
  let next = 0;
  const statuses = [];
  async function worker() {
    while (next < options.posts) {
      const sequence = next++;
      statuses[sequence] = await post(sequence);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency || 8 }, worker));
  return statuses;
}

async function rate() {
  const statuses = [];
  const pending = [];
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  const start = performance.now();
  for (let sequence = 0; sequence < total; sequence++) {
    const due = start + sequence * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(post(sequence).then((status) => { statuses[sequence] = status; }));
  }
  await Promise.all(pending);
  return statuses;
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const connectStart = performance.now();
  await connectAll();
  const connectSeconds = (performance.now() - connectStart) / 1000;
  if (options.mode === "idle") {
    process.stdout.write(JSON.stringify({ connected: sockets.length, connectSeconds }) + "\n");
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.on("end", resolve));
    finished = true;
    for (const socket of sockets) socket.terminate();
    return;
  }
  await sleep(200); // let presence frames for the joins pass
  if (options.waitForGo) {
    process.stdout.write(JSON.stringify({ ready: true, connected: sockets.length, connectSeconds }) + "\n");
    await new Promise((resolve) => process.stdin.once("data", resolve));
  }
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  const start = performance.now();
  const statuses = options.mode === "burst" ? await burst() : await rate();
  const acknowledged = performance.now();
  const posts = statuses.length;
  const isOk = (s) => s >= 200 && s < 300;
  const ok = statuses.filter(isOk).length;
  // Each reply reaches the subscribers of its own group (thread) only.
  const expected = statuses.reduce((sum, s, sequence) => sum + (isOk(s) ? groupSizes[sequence % groups.length] : 0), 0);
  const deadline = acknowledged + (options.settleSeconds || 10) * 1000;
  while (received < expected && performance.now() < deadline) await sleep(5);
  const cpu = process.cpuUsage(cpuBefore);
  const machineBusySeconds = (machineBusyMs() - machineBefore) / 1000;
  const end = received >= expected ? lastReceipt : performance.now();
  const seconds = (end - start) / 1000;
  finished = true;
  latencies.sort((a, b) => a - b);
  const result = {
    subscribers: sockets.length, posts, acknowledged: ok, expected, received,
    missed: expected - received, duplicates, closedEarly, seconds, connectSeconds,
    deliveriesPerSecond: received / seconds,
    postSeconds: (acknowledged - start) / 1000,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? null },
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
    machineCores: os.cpus().length,
    machineCoresBusy: machineBusySeconds / ((performance.now() - start) / 1000),
  };
  // Results first: a caller sampling CPU as they arrive leaves out the sockets' closing.
  process.stdout.write(JSON.stringify(result) + "\n");
  for (const socket of sockets) socket.terminate();
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
