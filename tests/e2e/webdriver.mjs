// The real app under Xvfb, driven through tauri-driver and WebKitWebDriver.
// A few W3C WebDriver calls over fetch are all these tests need, so no client library is pulled in.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const root = path.resolve(import.meta.dirname, '../..');
export const screenshotDir = path.join(root, 'target', 'e2e-screenshots');

export function which(name, extra = []) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...extra]) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  // Missing tools fail the run: this layer must never skip silently.
  throw new Error(`${name} is not installed; run ./setup.sh first`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function startGroup(cmd, args, env) {
  // Own process group, so stopping it also stops WebKitWebDriver and the app.
  const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  return { child, log: () => log };
}

export function stopGroup(proc) {
  if (!proc || proc.child.exitCode !== null) return;
  try {
    process.kill(-proc.child.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

export async function waitFor(check, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** Xvfb on a display of its own, once it answers: `{ proc, display }`. */
export async function startXvfb() {
  const display = `:${100 + Math.floor(Math.random() * 800)}`;
  const proc = startGroup(which('Xvfb'), [display, '-screen', '0', '1440x900x24', '-nolisten', 'tcp'], process.env);
  await waitFor(() => {
    try {
      execFileSync('xdpyinfo', ['-display', display], { stdio: 'ignore' });
      return true;
    } catch {
      return proc.child.exitCode === null && existsSync(`/tmp/.X11-unix/X${display.slice(1)}`);
    }
  }, 'Xvfb');
  return { proc, display };
}

/** tauri-driver on a free port with `env`, once it answers: `{ proc, port }`. */
export async function startDriver(env) {
  const tauriDriver = which('tauri-driver', [path.join(homedir(), '.cargo', 'bin')]);
  which('WebKitWebDriver');
  const port = await freePort();
  const proc = startGroup(tauriDriver, ['--port', String(port), '--native-port', String(await freePort())], env);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/status`)).ok, `tauri-driver\n${proc.log()}`);
  mkdirSync(screenshotDir, { recursive: true });
  return { proc, port };
}

/** A window on `binary`, opened through the tauri-driver `driver` (from startDriver). */
export async function openSession(driver, binary) {
  const res = await fetch(`http://127.0.0.1:${driver.port}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ capabilities: { alwaysMatch: { 'tauri:options': { application: binary } } } }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`no session: ${JSON.stringify(body)}\n${driver.proc.log()}`);
  return new Session(`http://127.0.0.1:${driver.port}/session/${body.value.sessionId}`);
}

/** Xvfb and tauri-driver, shared by the sessions of one test file. */
export class Harness {
  static async start() {
    const h = new Harness();
    h.binary = process.env.HEADTAIL_BIN ?? path.join(root, 'target', 'debug', 'headtail');
    if (!existsSync(h.binary)) throw new Error(`${h.binary} is missing; build the app first (make build)`);

    h.dataDir = mkdtempSync(path.join(tmpdir(), 'headtail-e2e-'));
    h.dbPath = path.join(h.dataDir, 'e2e.sqlite');
    const xvfb = await startXvfb();
    h.xvfb = xvfb.proc;
    h.display = xvfb.display;
    // The app reads HEADTAIL_DB, so every session of this harness shares one database file.
    const env = { ...process.env, DISPLAY: h.display, HEADTAIL_DB: h.dbPath, LANG: 'C.UTF-8' };
    const driver = await startDriver(env);
    h.driver = driver.proc;
    h.port = driver.port;
    return h;
  }

  /** A window on the app, moved from My day (its first page) to `view` unless that is null. */
  async session({ view = 'customers' } = {}) {
    const session = await openSession({ proc: this.driver, port: this.port }, this.binary);
    if (view) await session.click(`[data-testid="nav-${view}"]`);
    return session;
  }

  stop() {
    stopGroup(this.driver);
    stopGroup(this.xvfb);
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class Session {
  constructor(base) {
    this.base = base;
  }

  async cmd(method, route, body) {
    const res = await fetch(this.base + route, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${route}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  async find(css, timeoutMs = 10000) {
    const found = await waitFor(() => this.cmd('POST', '/element', { using: 'css selector', value: css }), css, timeoutMs);
    return found[ELEMENT];
  }

  async findAll(css) {
    const found = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return found.map((e) => e[ELEMENT]);
  }

  async click(css) {
    const id = await this.find(css);
    await this.cmd('POST', `/element/${id}/click`, {});
  }

  async type(css, text) {
    const id = await this.find(css);
    await this.cmd('POST', `/element/${id}/clear`, {});
    // WebKitWebDriver refuses an empty text; clearing already did the work.
    if (text !== '') await this.cmd('POST', `/element/${id}/value`, { text });
  }

  async text(css) {
    const id = await this.find(css);
    return this.cmd('GET', `/element/${id}/text`);
  }

  async texts(css) {
    const ids = await this.findAll(css);
    return Promise.all(ids.map((id) => this.cmd('GET', `/element/${id}/text`)));
  }

  async script(source, args = []) {
    return this.cmd('POST', '/execute/sync', { script: source, args });
  }

  /** Waits until `check` returns something truthy. */
  async until(check, what, timeoutMs = 10000) {
    return waitFor(check, what, timeoutMs);
  }

  async screenshot(name) {
    const png = await this.cmd('GET', '/screenshot');
    const file = path.join(screenshotDir, `${name}.png`);
    writeFileSync(file, Buffer.from(png, 'base64'));
    return file;
  }

  async close() {
    await this.cmd('DELETE', '');
  }
}
