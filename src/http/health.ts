/**
 * `/healthz`, `/livez`, `/readyz` as kube-apiserver serves them: `ok` when every check passes; otherwise
 * (or with `?verbose`) one line per check (`[+]etcd ok`, `[-]etcd failed: reason withheld`) and a
 * verdict line, with 500 when a check failed. `?exclude=<name>` skips a check; `/<endpoint>/<check>`
 * runs one. Checks that need the cluster ask it over the bus (see `busHealthChecks`).
 */

export interface HealthCheck {
  name: string;
  /** Undefined when healthy; otherwise why not (logged, never shown: "reason withheld"). */
  run(): Promise<string | undefined>;
}

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

export interface HealthReply {
  status: number;
  body: string;
}

const always: (name: string) => HealthCheck = (name) => ({ name, run: async () => undefined });

/** Upstream's fixed checks that need nothing from the cluster. */
export const PING = always('ping');
export const LOG = always('log');

/** readyz's `shutdown` check: fails once the server is shutting down. */
export function shutdownCheck(isShuttingDown: () => boolean): HealthCheck {
  return { name: 'shutdown', run: async () => (isShuttingDown() ? 'process is shutting down' : undefined) };
}

export async function serveHealth(
  endpoint: HealthEndpoint,
  checks: readonly HealthCheck[],
  subPath: string,
  params: URLSearchParams,
): Promise<HealthReply | undefined> {
  if (subPath !== '') {
    const check = checks.find((c) => c.name === subPath);
    if (!check) return undefined;
    const failure = await runCheck(check);
    return failure === undefined ? { status: 200, body: 'ok' } : { status: 500, body: 'internal server error: reason withheld\n' };
  }
  const excluded = new Set(params.getAll('exclude'));
  const selected = checks.filter((c) => !excluded.has(c.name));
  const results = await Promise.all(selected.map(async (c) => ({ name: c.name, failure: await runCheck(c) })));
  const failed = results.some((r) => r.failure !== undefined);
  const verbose = params.has('verbose') && params.get('verbose') !== 'false';
  if (!failed && !verbose) return { status: 200, body: 'ok' };
  const lines = results.map((r) => (r.failure === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  for (const name of excluded) if (checks.some((c) => c.name === name)) lines.push(`[+]${name} excluded: ok`);
  lines.push(failed ? `${endpoint} check failed` : `${endpoint} check passed`);
  return { status: failed ? 500 : 200, body: `${lines.join('\n')}\n` };
}

async function runCheck(check: HealthCheck): Promise<string | undefined> {
  try {
    return await check.run();
  } catch (error) {
    return (error as Error).message ?? String(error);
  }
}
