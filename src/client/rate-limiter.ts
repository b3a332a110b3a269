// workqueue.DefaultControllerRateLimiter as a value: the max of a per-item exponential back-off
// (5 ms doubling to 1000 s) and, optionally, an overall token bucket (10 qps, burst 100) that only
// matters when many items fail at once.

export interface RateLimiterConfig {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Overall token bucket; undefined = per-item back-off only. */
  bucket?: { qps: number; burst: number };
}

export const DEFAULT_CONTROLLER_RATE_LIMITER: RateLimiterConfig = Object.freeze({
  baseDelayMs: 5,
  maxDelayMs: 1_000_000,
  bucket: Object.freeze({ qps: 10, burst: 100 }),
});

export interface RateLimiterState {
  readonly config: RateLimiterConfig;
  /** Failures per item since its last Forget. */
  readonly failures: Readonly<Record<string, number>>;
  /** Tokens left (may go negative: a reservation for the future) and when they were counted. */
  readonly bucket?: { readonly tokens: number; readonly at: number };
}

export function newRateLimiter(config: RateLimiterConfig = DEFAULT_CONTROLLER_RATE_LIMITER): RateLimiterState {
  return config.bucket ? { config, failures: {}, bucket: { tokens: config.bucket.burst, at: 0 } } : { config, failures: {} };
}

/** ItemExponentialFailureRateLimiter.When: base × 2^failures, capped; counts one more failure. */
function exponentialDelay(state: RateLimiterState, key: string): [number, RateLimiterState] {
  const exp = state.failures[key] ?? 0;
  const delay = Math.min(state.config.baseDelayMs * 2 ** exp, state.config.maxDelayMs);
  return [delay, { ...state, failures: { ...state.failures, [key]: exp + 1 } }];
}

/** BucketRateLimiter.When: reserve a token; the delay is how long until it exists. */
function bucketDelay(state: RateLimiterState, now: number): [number, RateLimiterState] {
  const config = state.config.bucket;
  if (!config || !state.bucket) return [0, state];
  const refilled = Math.min(config.burst, state.bucket.tokens + ((now - state.bucket.at) * config.qps) / 1000);
  const tokens = refilled - 1;
  const delay = tokens >= 0 ? 0 : (-tokens * 1000) / config.qps;
  return [delay, { ...state, bucket: { tokens, at: now } }];
}

/** MaxOfRateLimiter.When: every limiter is charged; the longest delay wins. */
export function rateLimiterWhen(state: RateLimiterState, key: string, now: number): [number, RateLimiterState] {
  const [perItem, afterItem] = exponentialDelay(state, key);
  const [overall, afterBucket] = bucketDelay(afterItem, now);
  return [Math.max(perItem, overall), afterBucket];
}

export function rateLimiterForget(state: RateLimiterState, key: string): RateLimiterState {
  if (!(key in state.failures)) return state;
  const failures = { ...state.failures };
  delete failures[key];
  return { ...state, failures };
}

export function rateLimiterNumRequeues(state: RateLimiterState, key: string): number {
  return state.failures[key] ?? 0;
}
