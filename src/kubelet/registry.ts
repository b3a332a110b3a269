// A simulated container image registry and the node's image cache (containerd's content store), with the
// kubelet's pull-policy decision (images.shouldPullImage).
//
// Which images exist: a catalogue of well-known repositories (any tag), plus the config's `images`; a
// repository not known fails like Docker Hub answers for a missing repository; a tag listed in `missingTags`
// fails with "not found"; a registry host not in `hosts` fails DNS. Pull latency is the config's value for the
// image, or PULL_BASE_MS + size / PULL_BYTES_PER_MS (≈ 2 s for nginx's 70 MB).
import { createHash } from 'node:crypto';
import type { Container } from 'kubernetes-types/core/v1.js';
import { goQuote } from '../api/validation/go-format.ts';

export const PULL_BASE_MS = 500;
/** 50 MB/s. */
export const PULL_BYTES_PER_MS = 50_000;
/** A failed pull (unresolvable reference) still costs a round trip to the registry. */
export const FAILED_PULL_MS = 800;
export const DEFAULT_IMAGE_SIZE_BYTES = 75_000_000;
/** containerd's sandbox image (kubelet --pod-infra-container-image), present on every node. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.9';

/** Repositories that exist, with realistic sizes (bytes, as containerd reports them in `Image size`). */
export const KNOWN_IMAGES: Readonly<Record<string, number>> = {
  'docker.io/library/nginx': 70_542_235,
  'docker.io/library/busybox': 2_155_281,
  'docker.io/library/alpine': 3_419_706,
  'docker.io/library/redis': 45_212_417,
  'docker.io/library/postgres': 161_430_709,
  'docker.io/library/mysql': 172_315_016,
  'docker.io/library/httpd': 58_187_425,
  'docker.io/library/memcached': 32_784_922,
  'docker.io/library/ubuntu': 29_754_422,
  'docker.io/library/debian': 49_557_601,
  'docker.io/library/python': 389_543_173,
  'docker.io/library/node': 394_217_660,
  'docker.io/library/golang': 294_981_225,
  'docker.io/curlimages/curl': 10_312_883,
  'docker.io/hashicorp/http-echo': 3_541_120,
  'registry.k8s.io/pause': 321_520,
  'registry.k8s.io/e2e-test-images/agnhost': 57_126_430,
  'registry.k8s.io/coredns/coredns': 16_190_758,
  'registry.k8s.io/kube-proxy': 28_616_302,
  'registry.k8s.io/kube-apiserver': 32_663_599,
  'registry.k8s.io/kube-controller-manager': 31_030_110,
  'registry.k8s.io/kube-scheduler': 19_208_660,
  'registry.k8s.io/etcd': 57_236_178,
  'registry.k8s.io/metrics-server/metrics-server': 20_582_732,
};

export interface ImageConfig {
  readonly pullMs?: number;
  readonly sizeBytes?: number;
}

export interface RegistryConfig {
  /** Extra repositories or exact references ("myorg/app:1", "quay.io/x/y"), with optional latency/size. */
  readonly images?: Readonly<Record<string, ImageConfig>>;
  /** Exact references whose tag does not exist ("nginx:doesnotexist"). */
  readonly missingTags?: readonly string[];
  /** Registry hosts that resolve. Default: docker.io, registry.k8s.io, quay.io, ghcr.io, gcr.io. */
  readonly hosts?: readonly string[];
}

const DEFAULT_HOSTS = ['docker.io', 'registry.k8s.io', 'quay.io', 'ghcr.io', 'gcr.io'];

export interface NormalizedImage {
  /** "docker.io/library/nginx:1.25" — what containerStatuses[].image shows under containerd. */
  readonly normalized: string;
  readonly domain: string;
  /** "docker.io/library/nginx" */
  readonly repository: string;
  readonly tag: string | null;
  readonly digest: string | null;
}

/** reference.ParseNormalizedNamed + the kubelet's default ":latest" tag. */
export function normalizeImage(image: string): NormalizedImage {
  let rest = image;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) [rest, digest] = [rest.slice(0, at), rest.slice(at + 1)];
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) [rest, tag] = [rest.slice(0, colon), rest.slice(colon + 1)];
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let domain = hasDomain ? first : 'docker.io';
  let path = hasDomain ? rest.slice(slash + 1) : rest;
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (tag === null && digest === null) tag = 'latest';
  const repository = `${domain}/${path}`;
  const normalized = `${repository}${tag === null ? '' : `:${tag}`}${digest === null ? '' : `@${digest}`}`;
  return { normalized, domain, repository, tag, digest };
}

/** API defaulting of imagePullPolicy: Always for ":latest" or untagged images, else IfNotPresent. */
export function effectivePullPolicy(container: Pick<Container, 'image' | 'imagePullPolicy'>): 'Always' | 'IfNotPresent' | 'Never' {
  if (container.imagePullPolicy === 'Always' || container.imagePullPolicy === 'IfNotPresent' || container.imagePullPolicy === 'Never') {
    return container.imagePullPolicy;
  }
  const ref = normalizeImage(container.image ?? '');
  return ref.digest === null && ref.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** An image as stored on the node. */
export interface CachedImage {
  /** "sha256:…" — the image (config) id. */
  readonly id: string;
  /** "docker.io/library/nginx@sha256:…" — what containerStatuses[].imageID shows. */
  readonly repoDigest: string;
  readonly sizeBytes: number;
}

/** The node's images, keyed by normalized reference. Plain JSON: survives kubelet restarts. */
export type ImageCache = Readonly<Record<string, CachedImage>>;

export type PullOutcome =
  | { readonly ok: true; readonly image: CachedImage; readonly pullMs: number }
  | { readonly ok: false; readonly error: string; readonly pullMs: number };

// Keys with a tag or digest match that exact reference; bare repository keys match any tag.
function lookup(config: RegistryConfig, ref: NormalizedImage): ImageConfig | undefined {
  let repositoryMatch: ImageConfig | undefined;
  for (const [key, value] of Object.entries(config.images ?? {})) {
    const k = normalizeImage(key);
    const explicit = /[:@]/.test(key.slice(key.lastIndexOf('/') + 1));
    if (explicit && k.normalized === ref.normalized) return value;
    if (!explicit && k.repository === ref.repository) repositoryMatch = value;
  }
  return repositoryMatch;
}

/** What pulling `image` from the registry would do: the stored image and how long it takes, or the error. */
export function resolvePull(config: RegistryConfig, image: string): PullOutcome {
  const ref = normalizeImage(image);
  const quoted = goQuote(ref.normalized);
  const prefix = `rpc error: code = `;
  if (!(config.hosts ?? DEFAULT_HOSTS).includes(ref.domain)) {
    return { ok: false, pullMs: FAILED_PULL_MS, error: `${prefix}Unknown desc = failed to pull and unpack image ${quoted}: failed to resolve reference ${quoted}: failed to do request: Head "https://${ref.domain}/v2/${ref.repository.slice(ref.domain.length + 1)}/manifests/${ref.digest ?? ref.tag}": dial tcp: lookup ${ref.domain}: no such host` };
  }
  const configured = lookup(config, ref);
  const knownSize = KNOWN_IMAGES[ref.repository];
  if (configured === undefined && knownSize === undefined) {
    return { ok: false, pullMs: FAILED_PULL_MS, error: `${prefix}Unknown desc = failed to pull and unpack image ${quoted}: failed to resolve reference ${quoted}: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed` };
  }
  const missing = (config.missingTags ?? []).some((m) => normalizeImage(m).normalized === ref.normalized);
  if (missing) {
    return { ok: false, pullMs: FAILED_PULL_MS, error: `${prefix}NotFound desc = failed to pull and unpack image ${quoted}: failed to resolve reference ${quoted}: ${ref.normalized}: not found` };
  }
  const sizeBytes = configured?.sizeBytes ?? knownSize ?? DEFAULT_IMAGE_SIZE_BYTES;
  const pullMs = configured?.pullMs ?? PULL_BASE_MS + Math.round(sizeBytes / PULL_BYTES_PER_MS);
  const digest = ref.digest ?? `sha256:${sha256(`manifest:${ref.normalized}`)}`;
  return {
    ok: true,
    pullMs,
    image: { id: `sha256:${sha256(`config:${ref.normalized}`)}`, repoDigest: `${ref.repository}@${digest}`, sizeBytes },
  };
}

/** A cache holding the images every node starts with (the sandbox image). */
export function initialImageCache(config: RegistryConfig = {}): ImageCache {
  const pause = resolvePull(config, PAUSE_IMAGE);
  return pause.ok ? { [normalizeImage(PAUSE_IMAGE).normalized]: pause.image } : {};
}

export function cachedImage(cache: ImageCache, image: string): CachedImage | undefined {
  return cache[normalizeImage(image).normalized];
}

export type ImageDecision =
  | { readonly kind: 'present'; readonly image: CachedImage }
  | { readonly kind: 'pull' }
  /** ErrImageNeverPull: `Container image "x" is not present with pull policy of Never`. */
  | { readonly kind: 'never-pull'; readonly message: string };

/** images.shouldPullImage: IfNotPresent uses the cache, Always pulls, Never fails when absent. */
export function decideImage(cache: ImageCache, container: Pick<Container, 'image' | 'imagePullPolicy'>): ImageDecision {
  const image = container.image ?? '';
  const present = cachedImage(cache, image);
  const policy = effectivePullPolicy(container);
  if (policy === 'Never') {
    return present
      ? { kind: 'present', image: present }
      : { kind: 'never-pull', message: `Container image ${goQuote(image)} is not present with pull policy of Never` };
  }
  if (policy === 'IfNotPresent' && present) return { kind: 'present', image: present };
  return { kind: 'pull' };
}
