/** Talking to `adb`: `logcat -B` streams, `shell pidof`, `wait-for-device`. Nothing from a log reaches it. */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { UserError } from '../errors.js';

type LogcatProcess = ChildProcessByStdio<null, Readable, Readable>;

const serialArgs = (serial?: string): string[] => (serial ? ['-s', serial] : []);

/** Runs adb to the end and returns its output; rejects with a UserError when adb is missing. */
export function adbRun(args: string[], serial?: string, signal?: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('adb', [...serialArgs(serial), ...args], { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(adbMissing());
      else if (e.name === 'AbortError') resolve({ code: null, stdout, stderr });
      else reject(e);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function adbMissing(): UserError {
  return new UserError('input', 'adb: not found on PATH; install Android platform-tools (Debian package adb) or add adb to PATH');
}

/** The pids of a package's processes now (empty when it is not running). */
export async function pidsOf(pkg: string, serial?: string): Promise<number[]> {
  const r = await adbRun(['shell', 'pidof', pkg], serial);
  return r.stdout.split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
}

/** One system property of the device (`adb shell getprop NAME`), or undefined when unset or unreachable. */
export async function getprop(name: string, serial?: string, signal?: AbortSignal): Promise<string | undefined> {
  const r = await adbRun(['shell', 'getprop', name], serial, signal);
  const v = r.code === 0 ? r.stdout.trim() : '';
  return v || undefined;
}

/** An installed app's `versionName` from `adb shell dumpsys package PKG`, or undefined. */
export async function appVersion(pkg: string, serial?: string, signal?: AbortSignal): Promise<string | undefined> {
  const r = await adbRun(['shell', 'dumpsys', 'package', pkg], serial, signal);
  // The first one is the installed package's; an updated system app lists its factory copy after it.
  return r.code === 0 ? /^\s*versionName=(\S+)/m.exec(r.stdout)?.[1] : undefined;
}

/**
 * The labels `watch` finds on the device: device (ro.product.model), android
 * (ro.build.version.release) and, for one --package, app (its versionName).
 */
export async function deviceLabels(serial: string | undefined, packages: readonly string[], signal?: AbortSignal): Promise<Record<string, string>> {
  const [device, android, app] = await Promise.all([
    getprop('ro.product.model', serial, signal),
    getprop('ro.build.version.release', serial, signal),
    packages.length === 1 ? appVersion(packages[0]!, serial, signal) : undefined,
  ]);
  return { ...(device ? { device } : {}), ...(android ? { android } : {}), ...(app ? { app } : {}) };
}

/** The serial of the device adb talks to (`adb get-serialno`), or null when it names none. */
export async function adbSerial(serial: string | undefined, signal?: AbortSignal): Promise<string | null> {
  if (serial) return serial;
  const r = await adbRun(['get-serialno'], undefined, signal);
  const s = r.stdout.trim();
  return r.code === 0 && s && s !== 'unknown' && !/\s/.test(s) ? s : null;
}

/** Starts `adb logcat -B` (binary, exact boundaries), from `sinceEpochMs` when given. */
export function startLogcat(serial?: string, sinceEpochMs?: number): Promise<LogcatProcess> {
  const args = [...serialArgs(serial), 'logcat', '-B'];
  if (sinceEpochMs !== undefined) args.push('-T', (sinceEpochMs / 1000).toFixed(3));
  return new Promise((resolve, reject) => {
    const child = spawn('adb', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? adbMissing() : e));
    child.once('spawn', () => resolve(child));
  });
}

/** True when adb's error output says no device is there. */
export function noDevice(stderr: string): boolean {
  return /no devices|device offline|device '.*' not found|no emulators|unauthorized/i.test(stderr);
}
