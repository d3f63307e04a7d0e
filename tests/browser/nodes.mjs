// nodes — real mentornetd processes for the browser tests: a temporary
// directory with one config directory per node (each holding every node's
// conf, as nodes/ does), keys from `mentornetd --keygen`, the daemons
// started and stopped by this process, all on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DIVISIONS = [
  ['copenhagen', 'København'],
  ['aarhus', 'Århus'],
  ['esbjerg', 'Esbjerg/Varde'],
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function conf(n, replPort, keyDir) {
  return `; written by the browser tests\n[node]\nid = ${n.id}\nname = ${n.name}\ndisplay_name = ${n.display}\n` +
    `data_dir = ${n.dataDir}\nmap_size_mb = 256\nsync = false\n\n[http]\nlisten = 127.0.0.1:${n.httpPort}\n\n` +
    `[replication]\nlisten = 127.0.0.1:${replPort}\nmax_clock_drift_ms = 300000\n\n[keys]\ndir = ${keyDir}\n`;
}

export class Cluster {
  // count nodes on ports base .. base + 2 * count.
  constructor(daemon, base, count) {
    this.daemon = daemon;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mn-web.'));
    this.keyDir = path.join(this.dir, 'keys');
    fs.mkdirSync(this.keyDir, { mode: 0o700 });
    this.nodes = DIVISIONS.slice(0, count).map(([name, display], i) => ({
      id: i + 1, name, display, httpPort: base + 2 * i, replPort: base + 2 * i + 1,
      confDir: path.join(this.dir, 'conf', name), dataDir: path.join(this.dir, 'data', name),
      log: path.join(this.dir, name + '.log'), url: `http://127.0.0.1:${base + 2 * i}`, proc: null, token: '',
    }));
    for (const n of this.nodes) {
      fs.mkdirSync(n.confDir, { recursive: true });
      for (const m of this.nodes) fs.writeFileSync(path.join(n.confDir, m.name + '.conf'), conf(m, m.replPort, this.keyDir));
      n.conf = path.join(n.confDir, n.name + '.conf');
      const kg = spawnSync(daemon, ['--keygen', '--config', n.conf], { encoding: 'utf8', timeout: 30000 });
      if (kg.status !== 0) throw new Error(`mentornetd --keygen for ${n.name}: ${kg.stderr}`);
    }
  }

  node(name) {
    return this.nodes.find((n) => n.name === name);
  }

  async start(name) {
    const n = this.node(name);
    const log = fs.openSync(n.log, 'a');
    n.proc = spawn(this.daemon, ['--config', n.conf], { stdio: ['ignore', log, log] });
    n.proc.on('exit', () => (n.proc = null));
    fs.closeSync(log);
    for (let t = Date.now(); Date.now() - t < 30000; await sleep(100)) {
      try {
        const r = await fetch(n.url + '/v1/health');
        if (r.ok) {
          n.token = fs.readFileSync(path.join(n.dataDir, 'admin.token'), 'utf8').trim();
          return n;
        }
      } catch (err) {
        // not listening yet
      }
      if (!n.proc) break;
    }
    throw new Error(`${name} did not start; its log:\n` + this.logTail(name));
  }

  logTail(name) {
    try {
      return fs.readFileSync(this.node(name).log, 'utf8').split('\n').slice(-20).join('\n');
    } catch (err) {
      return '';
    }
  }

  // Stop a node (SIGTERM, then SIGKILL after 10 s) and wait for its exit.
  async stop(name) {
    const n = this.node(name);
    if (!n.proc) return;
    const p = n.proc;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGCONT');
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10000);
    await gone;
    clearTimeout(t);
  }

  async stopAll() {
    await Promise.all(this.nodes.map((n) => this.stop(n.name)));
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // The nodes whose log holds a sanitizer report (read after they stopped:
  // LeakSanitizer reports at exit).
  sanitized() {
    return this.nodes.filter((n) => /Sanitizer|runtime error:/.test(fs.readFileSync(n.log, 'utf8'))).map((n) => n.name);
  }

  // Kill every node at once, synchronously (the watchdog's way out).
  killAll() {
    for (const n of this.nodes) if (n.proc) n.proc.kill('SIGKILL');
  }
}

// A call to a node's API with a token; resolves to {status, json, text, headers}.
export async function call(node, token, method, p, body, type = 'application/json') {
  const headers = { Authorization: 'Bearer ' + token };
  if (body !== undefined) headers['Content-Type'] = type;
  const r = await fetch(node.url + p, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // not JSON (CSV, HTML)
  }
  return { status: r.status, json, text, headers: r.headers };
}
