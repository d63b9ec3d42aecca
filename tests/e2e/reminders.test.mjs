// End to end on the real binary: follow-up reminders as desktop notifications, on a private
// session bus with a real notification server (dunst). dbus-monitor watches the Notify calls;
// dunstctl clicks a notification, which must open the customer's profile in the window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Harness, startGroup, stopGroup, waitFor, which } from './webdriver.mjs';

// The follow-up of 张伟 falls due this long after the app is launched: late enough to miss the
// start's summary, soon enough for a short test.
const DUE_AFTER_MS = 9000;

let harness;
let bus;
let dunst;
let monitor;
const busEnv = () => ({ ...process.env, DISPLAY: harness.display });

before(async () => {
  // A session bus of our own, so the test neither needs nor disturbs a desktop session. Set
  // before the harness starts: tauri-driver passes it on to the app.
  bus = startGroup(which('dbus-daemon'), ['--session', '--nofork', '--print-address=1'], process.env);
  const address = await waitFor(() => bus.log().split('\n').find((l) => l.startsWith('unix:')), 'the session bus');
  process.env.DBUS_SESSION_BUS_ADDRESS = address.trim();
  harness = await Harness.start();

  // Notifications stay until acted on, so the click below always finds one.
  const config = path.join(harness.dataDir, 'dunstrc');
  writeFileSync(config, ['low', 'normal', 'critical'].map((u) => `[urgency_${u}]\n    timeout = 0\n`).join(''));
  dunst = startGroup(which('dunst'), ['-config', config], busEnv());
  await waitFor(() => {
    execFileSync(which('dunstctl'), ['is-paused'], { env: busEnv(), stdio: 'ignore' });
    return true;
  }, `dunst on the bus\n${dunst.log()}`);
  monitor = startGroup(
    which('dbus-monitor'),
    ['--session', "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"],
    busEnv(),
  );
  // dbus-monitor reports its own name on the bus once it is listening.
  await waitFor(() => monitor.log().includes('NameAcquired'), `dbus-monitor\n${monitor.log()}`);
});

after(() => {
  harness?.stop();
  stopGroup(monitor);
  stopGroup(dunst);
  stopGroup(bus);
});

/** The Notify calls seen so far: the summary (title) and body of each. */
function notifications() {
  return monitor
    .log()
    .split('method call ')
    .filter((call) => call.includes('member=Notify'))
    .map((call) => {
      // app name, icon, summary, body are the call's first four strings.
      const strings = [...call.matchAll(/string "((?:[^"\\]|\\.)*)"/gs)].map((m) => m[1]);
      return { title: strings[2], body: strings[3] };
    });
}

function sql(statements) {
  execFileSync(which('sqlite3'), [harness.dbPath], { input: statements });
}

/** A local wall-clock time as due times are kept: `YYYY-MM-DD HH:MM:SS`. */
function wallClock(date) {
  const two = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function dunstctl(...args) {
  return execFileSync(which('dunstctl'), args, { env: busEnv(), encoding: 'utf8' }).trim();
}

test('overdue follow-ups are summed up at start, a follow-up falling due is announced once, and its click opens the customer', async () => {
  // Customers through the real import; follow-ups and the language straight into the file.
  const csv = path.join(harness.dataDir, 'customers.csv');
  writeFileSync(csv, 'name,company\n张伟,深圳市华强电子有限公司\n李娜,北京晨光文具店\n王芳,成都小雨文具店\n');
  execFileSync(harness.binary, ['import', '--db', harness.dbPath, '--kind', 'customers', csv], { stdio: 'ignore' });
  const launch = Date.now();
  // Due times have whole seconds.
  const due = new Date(Math.ceil((launch + DUE_AFTER_MS) / 1000) * 1000);
  const id = (name) => `(SELECT id FROM customers WHERE name = '${name}')`;
  sql(`
    INSERT INTO settings (key, value) VALUES ('language', 'zh-CN');
    INSERT INTO follow_ups (customer_id, due_at, reason, source, created_at) VALUES
      (${id('李娜')}, '${wallClock(new Date(launch - 2 * 86400000))}', '回访', 'manual', '2026-01-01T00:00:00.000Z'),
      (${id('王芳')}, '${wallClock(new Date(launch - 3600000))}', '催款', 'manual', '2026-01-01T00:00:00.000Z'),
      (${id('张伟')}, '${wallClock(due)}', '报价跟进', 'manual', '2026-01-01T00:00:00.000Z');
  `);

  const app = await harness.session();
  try {
    await app.until(async () => (await app.script('return document.documentElement.lang')) === 'zh-CN', 'Chinese UI');
    await waitFor(() => notifications().length >= 1, `the start's summary\n${monitor.log()}`, 15000);
    assert.deepEqual(notifications()[0], { title: '2 项跟进已逾期', body: '李娜、王芳' }, 'the overdue ones, earliest first');
    assert.ok(Date.now() < due.getTime(), 'the app started in time to see the follow-up fall due');
    dunstctl('close-all');

    await waitFor(() => notifications().length >= 2, `张伟's reminder\n${monitor.log()}`, DUE_AFTER_MS + 15000);
    const shownAfter = Date.now() - due.getTime();
    assert.ok(shownAfter >= 0 && shownAfter < 5000, `announced ${shownAfter} ms after it fell due`);
    const dueTime = wallClock(due).slice(11, 16);
    assert.deepEqual(notifications()[1], { title: '跟进：张伟', body: `报价跟进\n到期：${dueTime}` });
    // Another pass of the reminders would come within a second if the follow-up were still unclaimed.
    await sleep(2500);
    assert.equal(notifications().filter((n) => n.title.includes('张伟')).length, 1, 'announced once');
    assert.equal(notifications().length, 2);
    const notified = execFileSync(which('sqlite3'), [harness.dbPath, 'SELECT count(*) FROM follow_ups WHERE notified_at IS NOT NULL'], {
      encoding: 'utf8',
    });
    assert.equal(notified.trim(), '3');

    // The click: dunst's default action, as a click on the bubble does.
    await waitFor(() => dunstctl('count', 'displayed') === '1', 'the reminder on screen');
    dunstctl('action', '0');
    await app.until(async () => (await app.text('[data-testid="profile-name"]')) === '张伟', "张伟's profile", 10000);
    await app.screenshot('reminder-opened-profile');
  } finally {
    await app.close();
  }
});
