import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startUp, type RunningCluster } from '../../src/cli/commands/up.ts';
import type { ClusterSpec } from '../../src/cluster/index.ts';

/**
 * `kubesim up` in process on a free port, with its kubeconfig in a temporary folder, and real kubectl
 * binaries to drive it. Acceptance tests use only what a user has: the kubeconfig and the HTTP API.
 */

export const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

export function kubectlBinary(version: string): string | undefined {
  const bin = join(KUBECTL_DIR, `kubectl.${version}`);
  return existsSync(bin) ? bin : undefined;
}

export interface E2eCluster {
  running: RunningCluster;
  kubeconfig: string;
  dir: string;
  /** Writes a file in the temporary folder (manifests for `apply -f`); returns its path. */
  file(name: string, content: string): string;
  /** Runs a kubectl binary against the cluster (its discovery cache under the temporary folder). */
  kubectl(bin: string, args: string[], timeoutMs?: number): Promise<Run>;
  /** Starts a kubectl that keeps running (`get -w`, `logs -f`); the test reads its output and stops it. */
  spawnKubectl(bin: string, args: string[]): Streaming;
  stop(): Promise<void>;
}

export async function startE2eCluster(spec: ClusterSpec = {}): Promise<E2eCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const running = await startUp({ port: 0, kubeconfig, spec, seed: 1, readyTimeoutMs: 60_000 });
  return {
    running, kubeconfig, dir,
    kubectl: (bin, args, timeoutMs) => kubectl(bin, kubeconfig, dir, args, timeoutMs),
    spawnKubectl: (bin, args) => spawnKubectl(bin, kubeconfig, dir, args),
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with the cluster's kubeconfig; never throws on a non-zero exit (the test checks). */
function kubectl(bin: string, kubeconfig: string, home: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home };
    execFile(bin, ['--kubeconfig', kubeconfig, ...args], { timeout: timeoutMs, env }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A kubectl still running: what it printed so far, and a way to end it. */
export interface Streaming {
  stdout(): string;
  stderr(): string;
  /** Resolves once `predicate(stdout)` holds; rejects after `timeoutMs` (or if kubectl exits first). */
  until(predicate: (stdout: string) => boolean, timeoutMs: number): Promise<string>;
  /** Ends kubectl (SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>;
}

function spawnKubectl(bin: string, kubeconfig: string, home: string, args: string[]): Streaming {
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: home };
  const child = spawn(bin, ['--kubeconfig', kubeconfig, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('close', () => { exited = true; resolve(); }));
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  return {
    stdout: () => out,
    stderr: () => err,
    async until(predicate, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(out)) {
        if (exited) throw new Error(`kubectl ${args.join(' ')} exited early; stdout:\n${out}\nstderr:\n${err}`);
        if (Date.now() > deadline) throw new Error(`kubectl ${args.join(' ')}: not seen within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return out;
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** The kubectl versions the issue names: each e2e flow runs on all three (skipped when a binary is missing). */
export const E2E_KUBECTL_VERSIONS = ['1.29', '1.31', '1.33'];

/** kubectl's output, after checking it succeeded and said nothing on stderr (bar the version-skew warning). */
export function expectOk(run: Run, allowEmpty = false): string {
  let stderr = run.stderr.replace(/^WARNING: version difference.*\n?/m, '');
  // kubectl says so on stderr when a list is empty.
  if (allowEmpty) stderr = stderr.replace(/^No resources found.*\n?/m, '');
  expect(stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}
