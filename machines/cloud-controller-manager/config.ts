// The cloud-controller-manager's settings (cloud-controller-manager flags and the service controller's
// constants in k8s.io/cloud-provider/controllers/service).
import type { Address } from '../../src/bus/envelope.ts';
import { CLOUD_PROVIDER_ADDRESS } from '../../src/cloud/protocol.ts';

export interface CloudControllerManagerConfig {
  /** The kube-apiserver it talks to (e.g. "apiserver-0"). */
  apiserver: Address;
  /** The cloud's API (default "cloud-provider"). */
  cloud?: Address;
  /** How long a cloud call may take before it counts as failed (default 2 min: provisioning is slow). */
  cloudTimeoutMs?: number;
  /** How long an API call may take (default 60 s). */
  apiTimeoutMs?: number;
}

/** The service controller's work queue: NewItemExponentialFailureRateLimiter(minRetryDelay, maxRetryDelay). */
export const MIN_RETRY_DELAY_MS = 5_000;
export const MAX_RETRY_DELAY_MS = 300_000;

export interface ResolvedCcmConfig {
  readonly apiserver: Address;
  readonly cloud: Address;
  readonly cloudTimeoutMs: number;
  readonly apiTimeoutMs: number;
}

export function resolveCcmConfig(config: CloudControllerManagerConfig): ResolvedCcmConfig {
  if (!config.apiserver) throw new Error('cloud-controller-manager: config.apiserver is required');
  return {
    apiserver: config.apiserver,
    cloud: config.cloud ?? CLOUD_PROVIDER_ADDRESS,
    cloudTimeoutMs: config.cloudTimeoutMs ?? 120_000,
    apiTimeoutMs: config.apiTimeoutMs ?? 60_000,
  };
}
