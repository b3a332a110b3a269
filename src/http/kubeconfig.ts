import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/**
 * A kubeconfig for the front door: plain HTTP, no credentials (every request is made as the admin user),
 * one cluster, user and context named `kubesim`, which is the current context. `insecure-skip-tls-verify`
 * means nothing over plain HTTP to kubectl, but @kubernetes/client-node refuses an http server without it.
 */
export function kubeconfigFor(server: string, name = 'kubesim'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(path: string, server: string, name = 'kubesim'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigFor(server, name), { mode: 0o600 });
}
