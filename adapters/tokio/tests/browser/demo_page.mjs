// Node driver of the browser demo test (adapters/tokio/tests/browser_demo.rs).
//
//   node demo_page.mjs --url http://127.0.0.1:PORT/ [--timeout S] [--screenshot FILE.png]
//
// Opens the demo page (served by the Rust test's WHIP server) in headless
// Chromium (Debian's /usr/bin/chromium, or $CHROMIUM_PATH) through
// playwright-core from $INTEROP_HOME/node_modules (default
// ~/.cache/sansrtc-interop, installed by ../shared/interop/setup.sh), with
// Chromium's fake microphone and camera; starts the call (WHIP POST), says
// three things in the chat, and polls the page until the three came back
// and Chromium decoded the echoed video and received the echoed audio.
// Prints one JSON line on stdout (logs on stderr); exit 0 when all of it
// was seen, 1 when not, 2 when Chromium or playwright-core is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-extensions',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];
const MESSAGES = ['hello sansrtc', 'a second line', 'and a third'];
const MIN_FRAMES = 30;
const MIN_AUDIO_PACKETS = 50;

const log = (...a) => process.stderr.write(`[demo_page ${new Date().toISOString().slice(11, 23)}] ${a.join(' ')}\n`);
const result = (res, code) => { process.stdout.write(JSON.stringify(res) + '\n'); process.exit(code); };

function parseArgs(argv) {
  const o = { url: '', timeout: 40, screenshot: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in o) || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    o[key] = typeof o[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!o.url) throw new Error('--url is required');
  return o;
}

function loadPlaywright() {
  const home = process.env.INTEROP_HOME || path.join(os.homedir(), '.cache', 'sansrtc-interop');
  const require = createRequire(path.join(home, 'package.json'));
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core not found under ${home}/node_modules (run ../shared/interop/setup.sh, or set INTEROP_HOME): ${e.message}`);
  }
}

const done = (s) => MESSAGES.every((m) => (s.echoed || []).includes(m))
  && (s.video?.framesDecoded ?? 0) >= MIN_FRAMES
  && (s.audio?.packetsReceived ?? 0) >= MIN_AUDIO_PACKETS;

async function run(o) {
  const started = Date.now();
  const res = { ok: false };
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    result({ ...res, error: `no Chromium at ${executablePath} (run ../shared/interop/setup.sh, or set CHROMIUM_PATH)` }, 2);
  }
  let chromium;
  try { ({ chromium } = loadPlaywright()); } catch (e) { result({ ...res, error: e.message }, 2); }
  const browser = await chromium.launch({ executablePath, headless: true, args: ARGS });
  res.browser = browser.version();
  const deadline = started + o.timeout * 1000;
  let last = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1040, height: 420 } });
    page.on('console', (m) => log('[page]', m.text()));
    page.on('pageerror', (e) => log('[page error]', e.message));
    await page.goto(o.url);
    const call = await page.evaluate(() => globalThis.demo.start());
    res.location = call.location;
    log('connected; session', call.location);
    for (const m of MESSAGES) {
      await page.fill('#text', m);
      await page.click('#say button');
    }
    while (Date.now() < deadline) {
      last = await page.evaluate(() => globalThis.demo.stats());
      if (done(last)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    res.ok = done(last);
    if (!res.ok) {
      res.error = `after ${o.timeout} s: echoed ${JSON.stringify(last.echoed)}, video framesDecoded `
        + `${last.video?.framesDecoded ?? 'none'} (want ≥ ${MIN_FRAMES}), audio packetsReceived `
        + `${last.audio?.packetsReceived ?? 'none'} (want ≥ ${MIN_AUDIO_PACKETS})`;
    }
    if (res.ok && o.screenshot) {
      await page.waitForFunction(() => {
        const v = document.getElementById('echo');
        return v.videoWidth > 0 && v.currentTime > 0.5;
      }, null, { timeout: 10000 });
      last = await page.evaluate(() => globalThis.demo.stats());
      fs.mkdirSync(path.dirname(o.screenshot), { recursive: true });
      await page.screenshot({ path: o.screenshot });
      res.screenshot = o.screenshot;
    }
    await page.evaluate(() => globalThis.demo.stop());
  } catch (e) {
    res.ok = false;
    res.error = String(e && e.message || e);
  }
  res.stats = last;
  res.elapsed_ms = Date.now() - started;
  await browser.close().catch(() => {});
  return res;
}

let options;
try { options = parseArgs(process.argv.slice(2)); } catch (e) { result({ ok: false, error: e.message }, 2); }
const res = await run(options);
result(res, res.ok ? 0 : 1);
