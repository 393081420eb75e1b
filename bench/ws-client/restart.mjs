// The load client for bench/restart.py: many readers of one thread that behave as the forum's
// pages do when their socket closes (static/src/forum.js): they reconnect after the same
// jittered delays and resume from the last event id they saw with `since`, skipping any event
// whose id is not past it. Meanwhile replies go out at a steady rate, through the restart,
// until a line "end" arrives on stdin.
//
// Usage: node restart.mjs '<json options>'; prints {"ready": ...} once every reader is
// subscribed, then one JSON object of results on stdout after "end".
// Options:
//   ws             ws:// URLs of the live endpoint; reader i uses ws[i % ws.length]
//   post           http:// URLs to POST replies to; reply n goes to post[n % post.length]
//   thread         http:// URL of the thread's JSON (GET, paged by next_cursor): what was stored
//   subscribe      the frame each reader sends once open (plus `since` when it resumes)
//   headers        extra request headers (e.g. Authorization)
//   subscribers    how many readers
//   rate           replies per second
//   maxSeconds     the longest the replies may go on (sizes the receipt table)
//   windowSeconds  latency is summed up per window of this many seconds, by when the POST began
//   bodySize       pad each reply body to about this many characters
//   settleSeconds  how long after "end" to wait for stragglers
import http from "node:http";
import readline from "node:readline";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const options = JSON.parse(process.argv[2]);
const wsUrls = [].concat(options.ws);
const postUrls = [].concat(options.post);
const readers = options.subscribers;
const capacity = Math.round(options.rate * options.maxSeconds);
const windowMs = (options.windowSeconds || 10) * 1000;
const LATENCY_BINS = 120_001; // one per millisecond up to two minutes; the last holds the rest

// -- the browser's reconnect policy, copied from static/src/forum.js ------------------------
// tests/test_reconnect_policy.py checks that these constants and this function are the same
// as the page's.
const RETRY_FIRST_MS = 1000, RETRY_MAX_MS = 30000, RESTART_SPREAD_MS = 10000, SERVICE_RESTART = 1012;
function reconnectDelay(attempt, closeCode, random) {
  if (attempt === 0 && closeCode === SERVICE_RESTART) {
    return RETRY_FIRST_MS / 2 + random() * (RESTART_SPREAD_MS - RETRY_FIRST_MS / 2);
  }
  var step = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, attempt));
  return step * (0.5 + random() / 2);
}

// -- each reader's state, in typed arrays (ten thousand readers) -----------------------------
const epoch = () => performance.timeOrigin + performance.now(); // ms since 1970, as Python's clock
const lastId = new Float64Array(readers);
const retries = new Uint16Array(readers);
const droppedAt = new Float64Array(readers);   // its first drop (0: never dropped)
const firstRetryAt = new Float64Array(readers); // its first reconnect attempt after that drop
const backAt = new Float64Array(readers);      // subscribed again after that drop
const seen = new Uint8Array(readers * capacity); // seen[reader * capacity + sequence]
const retryTimes = []; // every reconnect attempt, any reader
const closeCodes = {};
let drops = 0, duplicates = 0, resets = 0, received = 0, finished = false;

// Each reply's body starts "bench-<sequence>-x"; an event frame starts with its id. Frames are
// searched as bytes, not decoded (see fanout.mjs).
const MARKER = Buffer.from("bench-");
const EVENT_PREFIX = Buffer.from('{"type":"event","id":');
const DASH = 0x2d, X = 0x78, ZERO = 0x30, NINE = 0x39;

function digitsAt(data, at) {
  let value = 0, i = at;
  for (; i < data.length && data[i] >= ZERO && data[i] <= NINE; i++) value = value * 10 + data[i] - ZERO;
  return i > at ? [value, i] : [-1, i];
}

function sequenceIn(data) {
  for (let at = data.indexOf(MARKER); at !== -1; at = data.indexOf(MARKER, at + 1)) {
    const [value, end] = digitsAt(data, at + MARKER.length);
    if (value >= 0 && data[end] === DASH && data[end + 1] === X) return value;
  }
  return -1;
}

// -- latency, per window of POST start times -------------------------------------------------
const sentAt = new Float64Array(capacity); // epoch ms when each reply's POST began
const statuses = new Int16Array(capacity);
let postStart = 0;
const windows = []; // { histogram, deliveries, max }

function note(latency, sequence) {
  const index = Math.floor((sentAt[sequence] - postStart) / windowMs);
  let window = windows[index];
  if (!window) window = windows[index] = { histogram: new Uint32Array(LATENCY_BINS), deliveries: 0, max: 0 };
  window.histogram[Math.min(LATENCY_BINS - 1, Math.max(0, Math.round(latency)))] += 1;
  window.deliveries += 1;
  if (latency > window.max) window.max = latency;
}

function percentile(histogram, total, p) {
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let count = 0;
  for (let ms = 0; ms < histogram.length; ms++) {
    count += histogram[ms];
    if (count > rank) return ms;
  }
  return null;
}

// -- readers ------------------------------------------------------------------------------
function onFrame(reader, data, subscribed) {
  if (data.subarray(0, EVENT_PREFIX.length).equals(EVENT_PREFIX)) {
    const [id] = digitsAt(data, EVENT_PREFIX.length);
    if (id <= lastId[reader]) { duplicates += 1; return; } // the page skips it; the server sent it twice
    lastId[reader] = id;
    const sequence = sequenceIn(data);
    if (sequence < 0 || sequence >= capacity) return;
    const slot = reader * capacity + sequence;
    if (seen[slot]) { duplicates += 1; return; }
    seen[slot] = 1;
    received += 1;
    note(epoch() - sentAt[sequence], sequence);
    return;
  }
  const text = data.toString();
  if (text.includes('"type":"subscribed"')) {
    const frame = JSON.parse(text);
    lastId[reader] = Math.max(lastId[reader], frame.last_id);
    retries[reader] = 0;
    if (droppedAt[reader] && !backAt[reader]) backAt[reader] = epoch();
    subscribed();
  } else if (text.includes('"type":"reset"')) {
    resets += 1; // the page would reload: the log no longer reached back to its last id
  }
}

function open(reader, subscribed = () => {}, failed = null) {
  if (finished) return;
  if (droppedAt[reader]) {
    const now = epoch();
    retryTimes.push(now);
    if (!firstRetryAt[reader]) firstRetryAt[reader] = now;
  }
  const socket = new WebSocket(wsUrls[reader % wsUrls.length], { perMessageDeflate: false, skipUTF8Validation: true });
  let wasSubscribed = false;
  const onSubscribed = () => { if (!wasSubscribed) { wasSubscribed = true; subscribed(); } };
  socket.on("open", () => {
    const frame = { ...options.subscribe };
    if (lastId[reader] > 0) frame.since = lastId[reader];
    socket.send(JSON.stringify(frame));
  });
  socket.on("message", (data) => onFrame(reader, data, onSubscribed));
  socket.on("error", () => {}); // "close" follows, with 1006, as in a browser
  socket.on("close", (code) => {
    if (finished) return;
    if (failed && !wasSubscribed && !droppedAt[reader]) { failed(new Error(`reader ${reader} closed (${code})`)); return; }
    drops += 1;
    closeCodes[code] = (closeCodes[code] || 0) + 1;
    if (!droppedAt[reader] && wasSubscribed) droppedAt[reader] = epoch();
    setTimeout(() => open(reader), reconnectDelay(retries[reader]++, code, Math.random));
  });
}

async function connectAll() {
  const batch = 200; // stay under the listen backlog
  for (let start = 0; start < readers; start += batch) {
    const opening = [];
    for (let i = start; i < Math.min(readers, start + batch); i++) {
      opening.push(new Promise((resolve, reject) => open(i, resolve, reject)));
    }
    await Promise.all(opening);
  }
}

// -- replies ------------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const padding = "lorem ipsum dolor sit amet ".repeat(Math.ceil((options.bodySize || 200) / 27));

function request(url, method, body) {
  return new Promise((resolve) => {
    const headers = { ...(options.headers || {}) };
    if (body) Object.assign(headers, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    const req = http.request(url, { method, agent, headers }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode, body: Buffer.concat(chunks) }));
      response.on("error", () => resolve({ status: 0, body: Buffer.alloc(0) }));
    });
    req.setTimeout(30_000, () => req.destroy());
    req.on("error", () => resolve({ status: 0, body: Buffer.alloc(0) }));
    req.end(body);
  });
}

function post(sequence) {
  const body = JSON.stringify({ body: `bench-${sequence}-x ${padding}`.slice(0, options.bodySize || 200) });
  sentAt[sequence] = epoch();
  return request(postUrls[sequence % postUrls.length], "POST", body).then(({ status }) => { statuses[sequence] = status; });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function postUntil(ended) {
  const pending = [];
  const interval = 1000 / options.rate;
  postStart = epoch();
  let sequence = 0;
  for (; sequence < capacity && !ended(); sequence++) {
    const wait = postStart + sequence * interval - epoch();
    if (wait > 0) await sleep(wait);
    pending.push(post(sequence));
  }
  await Promise.all(pending);
  return sequence;
}

/** The sequences of every reply the thread holds, acknowledged or not (a POST cut off by the
 * restart may still have been stored, and then every reader must have it too). */
async function stored() {
  const sequences = new Set();
  let cursor = null;
  do {
    const url = options.thread + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : "");
    const { status, body } = await request(url, "GET");
    if (status !== 200) throw new Error(`GET ${url}: ${status}`);
    const page = JSON.parse(body.toString());
    for (const p of page.posts) {
      const match = /bench-(\d+)-x/.exec(p.body || "");
      if (match) sequences.add(Number(match[1]));
    }
    cursor = page.next_cursor;
  } while (cursor);
  return [...sequences];
}

function postsIn(index, posts) {
  let posted = 0, acknowledged = 0;
  for (let sequence = 0; sequence < posts; sequence++) {
    if (Math.floor((sentAt[sequence] - postStart) / windowMs) !== index) continue;
    posted += 1;
    if (statuses[sequence] >= 200 && statuses[sequence] < 300) acknowledged += 1;
  }
  return { posted, acknowledged };
}

async function main() {
  const connectStart = performance.now();
  await connectAll();
  const connectSeconds = (performance.now() - connectStart) / 1000;
  process.stdout.write(JSON.stringify({ ready: true, connectSeconds }) + "\n");
  let ended = false;
  readline.createInterface({ input: process.stdin }).on("line", (line) => { if (line.trim() === "end") ended = true; });
  const cpuBefore = process.cpuUsage();
  const posts = await postUntil(() => ended);
  const storedSequences = await stored();
  const expected = storedSequences.length * readers;
  const deadline = performance.now() + (options.settleSeconds || 30) * 1000;
  while (received < expected && performance.now() < deadline) await sleep(50);
  finished = true;
  const cpu = process.cpuUsage(cpuBefore);
  let readersMissing = 0;
  for (let reader = 0; reader < readers; reader++) {
    if (storedSequences.some((sequence) => !seen[reader * capacity + sequence])) readersMissing += 1;
  }
  const acknowledged = Array.from(statuses.subarray(0, posts)).filter((s) => s >= 200 && s < 300).length;
  const round = (values) => Array.from(values, (v) => Math.round(v * 10) / 10);
  const result = {
    subscribers: readers, connectSeconds, posts, acknowledged, stored: storedSequences.length,
    expected, received, missed: expected - received, readersMissing, duplicates, resets,
    drops, closeCodes,
    droppedAt: round(droppedAt.filter((t) => t > 0)),
    firstRetryAt: round(firstRetryAt.filter((t) => t > 0)),
    backAt: round(backAt.filter((t) => t > 0)),
    retryTimes: round(retryTimes),
    postStart, windowMs,
    windows: Array.from({ length: posts ? Math.floor((sentAt[posts - 1] - postStart) / windowMs) + 1 : 0 },
      (_, index) => {
        const w = windows[index] || { histogram: null, deliveries: 0, max: null };
        return { start: postStart + index * windowMs, deliveries: w.deliveries, ...postsIn(index, posts),
                 p50: w.deliveries ? percentile(w.histogram, w.deliveries, 50) : null,
                 p99: w.deliveries ? percentile(w.histogram, w.deliveries, 99) : null, max: w.max };
      }),
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  // Exiting straight after a write to a pipe would cut off all but its first 64 KB.
  await new Promise((resolve) => process.stdout.write(JSON.stringify(result) + "\n", resolve));
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
