// Node driver of the browser video test (adapters/tokio/tests/browser_video.rs).
//
//   node video_page.mjs --url http://127.0.0.1:PORT/offer --codec VP8|H264
//        [--timeout S] [--min-frames N] [--screenshot FILE.png]
//
// Serves video_page.html and video_page.js from 127.0.0.1 (a secure context,
// so getUserMedia works), opens them in headless Chromium (Debian's
// /usr/bin/chromium, or $CHROMIUM_PATH) through playwright-core from
// $INTEROP_HOME/node_modules (default ~/.cache/sansrtc-interop, installed by
// ../shared/interop/setup.sh), posts the page's offer to --url and polls the
// page's getStats() until Chromium decoded --min-frames frames coming back,
// its sender counted a PLI and its remote-inbound-rtp has a round-trip time,
// and the answerer's `GET /status` (next to --url) says `"done": true` (the
// sansrtc side saw what it waits for: the keyframe that follows its PLI).
// Prints one JSON line on stdout (logs go to stderr); exit 0 when all of it
// was seen, 1 when not (timeout, error), 2 on bad arguments or when
// Chromium or playwright-core is missing.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FILES = { '/': ['video_page.html', 'text/html'], '/video_page.js': ['video_page.js', 'text/javascript'] };
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-extensions',
  '--allow-loopback-in-peer-connection', // gather 127.0.0.1 host candidates
  '--disable-features=WebRtcHideLocalIpsWithMdns', // raw addresses, not <uuid>.local
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', // the fake camera, no prompt
  '--autoplay-policy=no-user-gesture-required',
];

const log = (...a) => process.stderr.write(`[video_page ${new Date().toISOString().slice(11, 23)}] ${a.join(' ')}\n`);
const result = (res, code) => { process.stdout.write(JSON.stringify(res) + '\n'); process.exit(code); };

function parseArgs(argv) {
  const o = { url: '', codec: '', timeout: 45, minFrames: 30, screenshot: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in o) || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    o[key] = typeof o[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!o.url || !o.codec) throw new Error('--url and --codec are required');
  return o;
}

// playwright-core as setup.sh installed it; a clear error when it is not.
function loadPlaywright() {
  const home = process.env.INTEROP_HOME || path.join(os.homedir(), '.cache', 'sansrtc-interop');
  const require = createRequire(path.join(home, 'package.json'));
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core not found under ${home}/node_modules (run ../shared/interop/setup.sh, or set INTEROP_HOME): ${e.message}`);
  }
}

async function postOffer(url, sdp) {
  const r = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/sdp' }, body: sdp, signal: AbortSignal.timeout(20000),
  });
  const body = await r.text();
  if (r.status !== 201) throw new Error(`POST ${url}: HTTP ${r.status} (want 201): ${body.trim().slice(0, 300)}`);
  return body;
}

function servePage() {
  const server = http.createServer((req, res) => {
    const file = req.method === 'GET' && FILES[req.url];
    if (req.url === '/favicon.ico') { res.writeHead(204); res.end(); return; }
    if (!file) { res.writeHead(404); res.end(); return; }
    const body = fs.readFileSync(path.join(HERE, file[0]));
    res.writeHead(200, { 'content-type': file[1], 'content-length': body.length });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// The answerer's view (`GET /status`), best effort.
async function answererStatus(url) {
  try {
    const r = await fetch(url.replace(/\/offer$/, '/status'), { signal: AbortSignal.timeout(2000) });
    if (r.status === 200) return await r.json();
  } catch (_) { /* not up, or busy: asked again at the next poll */ }
  return undefined;
}

const chromiumDone = (s, minFrames) => (s.inbound?.framesDecoded ?? 0) >= minFrames
  && (s.outbound?.pliCount ?? 0) >= 1
  && typeof s.remoteInbound?.roundTripTime === 'number';

async function run(o) {
  const started = Date.now();
  const res = { ok: false, codec: o.codec };
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    result({ ...res, error: `no Chromium at ${executablePath} (run ../shared/interop/setup.sh, or set CHROMIUM_PATH)` }, 2);
  }
  let chromium;
  try { ({ chromium } = loadPlaywright()); } catch (e) { result({ ...res, error: e.message }, 2); }
  const server = await servePage();
  const browser = await chromium.launch({ executablePath, headless: true, args: ARGS });
  res.browser = browser.version();
  log('chromium', res.browser);
  const deadline = started + o.timeout * 1000;
  let last = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1010, height: 520 } });
    page.on('console', (m) => log('[page]', m.text()));
    page.on('pageerror', (e) => log('[page error]', e.message));
    await page.exposeFunction('hostSignal', (sdp) => postOffer(o.url, sdp));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const call = await page.evaluate((codec) => globalThis.videoEcho.start({ codec }), o.codec);
    Object.assign(res, call);
    log('answer applied; preferred', call.preferred.join(', '));
    let status;
    while (Date.now() < deadline) {
      last = await page.evaluate(() => globalThis.videoEcho.stats());
      status = await answererStatus(o.url);
      if (chromiumDone(last, o.minFrames) && status?.done === true) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    res.answerer = status;
    res.ok = chromiumDone(last, o.minFrames) && status?.done === true;
    if (!res.ok) {
      res.error = `after ${o.timeout} s: framesDecoded ${last.inbound?.framesDecoded ?? 'none'} (want ≥ ${o.minFrames}), `
        + `pliCount ${last.outbound?.pliCount ?? 'none'} (want ≥ 1), roundTripTime ${last.remoteInbound?.roundTripTime ?? 'none'}, `
        + `answerer ${JSON.stringify(status)} (want done: true)`;
    }
    if (res.ok && o.screenshot) {
      // The echo is on screen: the <video> has frames and its clock runs.
      await page.waitForFunction(() => {
        const v = document.getElementById('remote');
        return v.videoWidth > 0 && v.currentTime > 0.5;
      }, null, { timeout: 10000 });
      last = await page.evaluate(() => globalThis.videoEcho.stats());
      fs.mkdirSync(path.dirname(o.screenshot), { recursive: true });
      await page.screenshot({ path: o.screenshot });
      res.screenshot = o.screenshot;
      log('screenshot', o.screenshot);
    }
    await page.evaluate(() => globalThis.videoEcho.close());
  } catch (e) {
    res.ok = false;
    res.error = String(e && e.message || e);
  }
  res.stats = last;
  res.elapsed_ms = Date.now() - started;
  await browser.close().catch(() => {});
  server.close();
  return res;
}

let options;
try { options = parseArgs(process.argv.slice(2)); } catch (e) { result({ ok: false, error: e.message }, 2); }
const res = await run(options);
result(res, res.ok ? 0 : 1);
