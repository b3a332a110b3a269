import { describe, expect, it } from 'vitest';
import { PAUSE_IMAGE, decideImage, effectivePullPolicy, initialImageCache, normalizeImage, resolvePull } from '../../src/kubelet/registry.ts';

describe('image references', () => {
  it('normalizes like containerd: docker.io/library, :latest, explicit registries and digests', () => {
    expect(normalizeImage('nginx:1.25').normalized).toBe('docker.io/library/nginx:1.25');
    expect(normalizeImage('nginx').normalized).toBe('docker.io/library/nginx:latest');
    expect(normalizeImage('bitnami/redis:7').normalized).toBe('docker.io/bitnami/redis:7');
    expect(normalizeImage('localhost:5000/app').normalized).toBe('localhost:5000/app:latest');
    expect(normalizeImage('registry.k8s.io/pause:3.9').repository).toBe('registry.k8s.io/pause');
    expect(normalizeImage('busybox@sha256:abc').normalized).toBe('docker.io/library/busybox@sha256:abc');
  });

  it('defaults imagePullPolicy to Always for :latest and untagged images, else IfNotPresent', () => {
    expect(effectivePullPolicy({ image: 'nginx' })).toBe('Always');
    expect(effectivePullPolicy({ image: 'nginx:latest' })).toBe('Always');
    expect(effectivePullPolicy({ image: 'nginx:1.25' })).toBe('IfNotPresent');
    expect(effectivePullPolicy({ image: 'nginx', imagePullPolicy: 'Never' })).toBe('Never');
  });
});

describe('registry', () => {
  it('pulls known images in about PULL_BASE + size / 50 MB/s, or as configured', () => {
    const nginx = resolvePull({}, 'nginx:1.25');
    expect(nginx.ok && nginx.pullMs).toBe(1911);
    expect(nginx.ok && nginx.image.repoDigest).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    const custom = resolvePull({ images: { 'myorg/app': { pullMs: 7000, sizeBytes: 1234 } } }, 'myorg/app:2');
    expect(custom).toMatchObject({ ok: true, pullMs: 7000, image: { sizeBytes: 1234 } });
  });

  it('fails unknown repositories, missing tags and unknown hosts with containerd-style errors', () => {
    const missing = resolvePull({}, 'doesnotexist:1');
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.error).toBe(
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/doesnotexist:1": failed to resolve reference "docker.io/library/doesnotexist:1": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
    );
    const tag = resolvePull({ missingTags: ['nginx:nope'] }, 'nginx:nope');
    expect(!tag.ok && tag.error).toMatch(/code = NotFound .*docker\.io\/library\/nginx:nope: not found$/);
    const host = resolvePull({}, 'registry.example.com/app:1');
    expect(!host.ok && host.error).toMatch(/dial tcp: lookup registry\.example\.com: no such host$/);
  });

  it('decides per pull policy: IfNotPresent uses the cache, Always pulls, Never fails when absent', () => {
    const cache = initialImageCache();
    expect(Object.keys(cache)).toEqual([PAUSE_IMAGE]);
    const pulled = resolvePull({}, 'nginx:1.25');
    if (!pulled.ok) throw new Error(pulled.error);
    const withNginx = { ...cache, 'docker.io/library/nginx:1.25': pulled.image };
    expect(decideImage(withNginx, { image: 'nginx:1.25' }).kind).toBe('present');
    expect(decideImage(withNginx, { image: 'nginx:1.25', imagePullPolicy: 'Always' }).kind).toBe('pull');
    expect(decideImage(cache, { image: 'nginx:1.25' }).kind).toBe('pull');
    expect(decideImage(cache, { image: 'nginx:1.25', imagePullPolicy: 'Never' })).toEqual({
      kind: 'never-pull',
      message: 'Container image "nginx:1.25" is not present with pull policy of Never',
    });
  });
});
