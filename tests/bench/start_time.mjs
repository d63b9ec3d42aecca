// How long the real app takes to start on a large database: the release binary in a real
// WebKitGTK window under Xvfb, driven through tauri-driver as the end-to-end tests are.
//
//   node tests/bench/start_time.mjs --db FILE [--runs N] [--settle S] [--bin PATH] [--work DIR] [--in-place] [--ipc]
//
// Each run starts the app in a fresh process and times, from the moment the WebDriver session
// is asked for (tauri-driver then starts WebKitWebDriver, which starts the app):
//   - the app process existing (its start time in /proc),
//   - the WebDriver session being ready,
//   - the page's navigation start, DOMContentLoaded and load (the webview's own clock),
//   - My day's content in the page and painted (the page the app opens on),
// then, after a click on Customers in the sidebar, the customer list's first rows in the page
// and painted. Times in the page are read with performance.now() against performance.timeOrigin,
// both wall-clock, so they line up with this script's Date.now().
//
// The app may write to its database when it starts (and takes a backup of it once a day), so
// by default FILE is copied into a fresh folder first (under --work, /dev/shm when it has room),
// where the daily backup is kept from running by a file standing where its folder would be: as
// on every start but the day's first. --in-place opens FILE itself, backup and all.
//
// Before the timed runs, one start is kept open --settle seconds (45 unless told; 0 skips it):
// its reminders claim the follow-ups that fell due since the file was last opened, which on a
// large database written days ago is a hundred thousand rows, as the first start of a day does.
// The timed runs are then ordinary starts. --settle 0 --runs 1 times such a first start.
// --ipc times the IPC commands the customer list sends (not those of the start: nothing can be
// put into the page before its own scripts run).
import { copyFileSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSession, root, startDriver, startXvfb, stopGroup, waitFor } from '../e2e/webdriver.mjs';

function parseArgs(argv) {
  const args = { runs: 5, settle: 45, bin: path.join(root, 'target', 'release', 'headtail'), inPlace: false, ipc: false, work: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--db') args.db = value();
    else if (arg === '--runs') args.runs = Number(value());
    else if (arg === '--settle') args.settle = Number(value());
    else if (arg === '--bin') args.bin = value();
    else if (arg === '--work') args.work = value();
    else if (arg === '--in-place') args.inPlace = true;
    else if (arg === '--ipc') args.ipc = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!args.db) throw new Error('usage: node tests/bench/start_time.mjs --db FILE [--runs N] [--settle S] [--bin PATH] [--work DIR] [--in-place] [--ipc]');
  if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error('--runs takes a whole number above 0');
  if (!(args.settle >= 0)) throw new Error('--settle takes a number of seconds');
  return args;
}

const GIB = 1024 ** 3;
const freeBytes = (dir) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** A private copy of `db` (and its write-ahead log, if one is left) in a fresh folder. */
function copyDatabase(db, work) {
  const size = statSync(db).size;
  const candidates = work ? [work] : ['/dev/shm', os.tmpdir()].filter((d) => existsSync(d));
  // Room for the copy and 2 GiB to spare: the disk is shared.
  const dir = candidates.find((d) => freeBytes(d) > size + 2 * GIB);
  if (!dir) throw new Error(`no room for a ${(size / GIB).toFixed(1)} GiB copy in ${candidates.join(' or ')}; free some or pass --in-place`);
  const folder = mkdtempSync(path.join(dir, 'headtail-start-'));
  const copy = path.join(folder, path.basename(db));
  copyFileSync(db, copy, constants.COPYFILE_FICLONE);
  if (existsSync(`${db}-wal`)) copyFileSync(`${db}-wal`, `${copy}-wal`, constants.COPYFILE_FICLONE);
  // The daily backup would copy the whole file beside it on the first start.
  writeFileSync(path.join(folder, 'backups'), 'kept from running by tests/bench/start_time.mjs\n');
  return { folder, copy };
}

const ticksPerSecond = 100; // USER_HZ on Linux
/** Milliseconds since boot, on the clock /proc gives process start times in. */
const uptime = () => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;

/** Processes running `binary`: pid -> start time (ms since boot, to 10 ms). */
function appProcesses(binary) {
  const found = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) !== binary) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.set(Number(pid), (Number(fields[19]) * 1000) / ticksPerSecond);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

// Runs in the page: waits for `selector` (checking on every DOM change), then for the frame
// that shows it. With `click`, clicks that element first and times from the click.
const WAIT_IN_PAGE = `
const [selector, click, done] = arguments;
const now = () => performance.now();
const started = now();
let clickedAt = null;
if (click) {
  clickedAt = now();
  document.querySelector(click).click();
}
const painted = (inDom, already) => requestAnimationFrame(() => {
  // A task queued from the frame callback runs after that frame is drawn.
  setTimeout(() => done({ origin: performance.timeOrigin, started, clickedAt, inDom, shown: now(), already }), 0);
});
if (document.querySelector(selector)) painted(now(), true);
else {
  const watch = new MutationObserver(() => {
    if (!document.querySelector(selector)) return;
    watch.disconnect();
    painted(now(), false);
  });
  watch.observe(document, { childList: true, subtree: true, attributes: true });
}`;

const NAVIGATION = `
const nav = performance.getEntriesByType('navigation')[0];
return {
  origin: performance.timeOrigin,
  domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
  load: nav ? nav.loadEventEnd : null,
  paint: performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]),
};`;

// Times each IPC command the UI sends after this runs: on Linux Tauri sends them as fetch
// requests to ipc://localhost/<command>, and fetch (unlike invoke) can be wrapped.
const TIME_IPC = `
const fetched = window.fetch;
window.__benchIpc = [];
window.fetch = async (url, ...rest) => {
  const t0 = performance.now();
  try { return await fetched(url, ...rest); }
  finally {
    const cmd = String(url).startsWith('ipc://') ? new URL(url).pathname.slice(1) : String(url);
    window.__benchIpc.push([cmd, t0, performance.now() - t0]);
  }
};`;

const MY_DAY_SHOWN = '[data-testid="my-day-count"], [data-testid="my-day-empty"]';
const ROWS_SHOWN = '[data-testid="customer-row"]';

async function runOnce(driver, binary, args) {
  const before = new Set(appProcesses(binary).keys());
  const askedUp = uptime();
  const asked = Date.now();
  const session = await openSession(driver, binary);
  const ready = Date.now();
  try {
    await session.cmd('POST', '/timeouts', { script: 120000 });
    const spawned = [...appProcesses(binary)].filter(([pid]) => !before.has(pid));
    const myDay = await session.cmd('POST', '/execute/async', { script: WAIT_IN_PAGE, args: [MY_DAY_SHOWN, null] });
    const myDayCount = await session.text('[data-testid="my-day-count"]').catch(() => '');
    if (args.ipc) await session.script(TIME_IPC);
    const list = await session.cmd('POST', '/execute/async', { script: WAIT_IN_PAGE, args: [ROWS_SHOWN, '[data-testid="nav-customers"]'] });
    const rows = (await session.findAll(ROWS_SHOWN)).length;
    const count = await session.text('[data-testid="customer-count"]').catch(() => '');
    // Read last: the paint entries are only there once the page has painted.
    const nav = await session.script(NAVIGATION);
    const ipc = args.ipc ? await session.script('return window.__benchIpc') : [];
    const at = (page, t) => page.origin + t - asked;
    return {
      spawn: spawned.length === 1 ? spawned[0][1] - askedUp : null,
      session: ready - asked,
      navigation: nav.origin - asked,
      domContentLoaded: at(nav, nav.domContentLoaded),
      load: at(nav, nav.load),
      paint: nav.paint.map(([name, t]) => [name, at(nav, t)]),
      myDayInDom: at(myDay, myDay.inDom),
      myDayShown: at(myDay, myDay.shown),
      myDayAlready: myDay.already,
      listClick: at(list, list.clickedAt),
      listInDom: list.inDom - list.clickedAt,
      listShown: list.shown - list.clickedAt,
      listAlready: list.already,
      rows,
      count,
      myDayCount,
      ipc: ipc.map(([cmd, t0, ms]) => [cmd, t0 - list.clickedAt, ms]),
    };
  } finally {
    await session.close().catch(() => {});
    // The next run starts only once this app is gone.
    await waitFor(() => [...appProcesses(binary).keys()].every((pid) => before.has(pid)), 'the app to quit', 20000).catch(() => {});
  }
}

async function settle(driver, binary, ms) {
  const before = new Set(appProcesses(binary).keys());
  const session = await openSession(driver, binary);
  try {
    await sleep(ms);
  } finally {
    await session.close().catch(() => {});
    await waitFor(() => [...appProcesses(binary).keys()].every((pid) => before.has(pid)), 'the app to quit', 20000).catch(() => {});
  }
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => (x === null || !Number.isFinite(x) ? '   -' : String(Math.round(x)).padStart(5));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const binary = realpathSync(args.bin);
  const source = realpathSync(args.db);
  const size = statSync(source).size;
  console.log(`cores: ${os.availableParallelism()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`app: ${binary} (built ${statSync(binary).mtime.toISOString()})`);
  console.log(`database: ${source}, ${(size / GIB).toFixed(2)} GiB`);
  const webkitEnv = Object.entries(process.env).filter(([k]) => k.startsWith('WEBKIT_'));
  if (webkitEnv.length) console.log(`environment: ${webkitEnv.map(([k, v]) => `${k}=${v}`).join(' ')}`);

  let copied = null;
  let db = source;
  if (!args.inPlace) {
    copied = copyDatabase(source, args.work);
    db = copied.copy;
    console.log(`opened as a copy: ${db} (automatic backup at start kept from running)`);
  } else {
    console.log('opened in place: the app may write to it and back it up as on any start');
  }

  const xvfb = await startXvfb();
  let driver;
  const results = [];
  try {
    const env = { ...process.env, DISPLAY: xvfb.display, HEADTAIL_DB: db, LANG: 'C.UTF-8' };
    driver = await startDriver(env);
    if (args.settle > 0) {
      console.log(`a first start, kept open ${args.settle} s and not timed`);
      await settle(driver, binary, args.settle * 1000);
    }
    for (let i = 0; i < args.runs; i++) {
      // A moment between runs, for the last app's files to close.
      if (i > 0) await sleep(500);
      const r = await runOnce(driver, binary, args);
      results.push(r);
      if (i === 0) console.log(`customers: ${r.count || '?'}; My day: ${r.myDayCount || '?'}\n`);
      if (i === 0) {
        console.log('ms from asking tauri-driver for a session (which starts the app):');
        console.log('run  spawn session  navig  DOMcl   load  myday-dom myday-shown | list-click  +rows-dom +rows-shown  =launch-to-rows');
      }
      const flag = (already) => (already ? '*' : ' ');
      console.log(
        `${String(i + 1).padStart(3)} ${ms(r.spawn)}  ${ms(r.session)}  ${ms(r.navigation)}  ${ms(r.domContentLoaded)}  ${ms(r.load)}     ${ms(r.myDayInDom)}       ${ms(r.myDayShown)}${flag(r.myDayAlready)}|      ${ms(r.listClick)}      ${ms(r.listInDom)}       ${ms(r.listShown)}${flag(r.listAlready)}          ${ms(r.listClick + r.listShown)}`,
      );
      if (r.paint.length) console.log(`    paint: ${r.paint.map(([n, t]) => `${n} ${ms(t)}`).join(', ')}`);
      if (args.ipc) for (const [cmd, t0, d] of r.ipc) console.log(`    ipc ${cmd.padEnd(28)} sent at +${ms(t0)} took ${d.toFixed(1)} ms`);
    }
  } finally {
    stopGroup(driver?.proc);
    stopGroup(xvfb.proc);
    if (copied) rmSync(copied.folder, { recursive: true, force: true });
  }
  const m = (key) => median(results.map((r) => (typeof key === 'function' ? key(r) : r[key])));
  console.log(
    `med ${ms(m('spawn'))}  ${ms(m('session'))}  ${ms(m('navigation'))}  ${ms(m('domContentLoaded'))}  ${ms(m('load'))}     ${ms(m('myDayInDom'))}       ${ms(m('myDayShown'))} |      ${ms(m('listClick'))}      ${ms(m('listInDom'))}       ${ms(m('listShown'))}           ${ms(m((r) => r.listClick + r.listShown))}`,
  );
  console.log(`
spawn: the app process's start time in /proc (10 ms ticks), after tauri-driver and WebKitWebDriver started it.
session: the WebDriver session answered. navig/DOMcl/load: the page's navigation start, DOMContentLoaded and load.
myday-dom / myday-shown: My day (the page the app opens on) has its content in the page / in a drawn frame.
list-click: when the script clicked Customers (right after My day was shown); +rows-dom / +rows-shown: from that
click to the customer list's first rows in the page / in a drawn frame. launch-to-rows = list-click + rows-shown.
* : already there when the page could first be asked (the time is when it was seen, an upper bound).
WebKitGTK reports no paint timing entries when none are listed: "shown" is the first frame after the content.`);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exitCode = 1;
});
