// Static pods (pkg/kubelet/config/file.go, common.go) and their mirror pods (pkg/kubelet/pod/mirror_client.go).
//
// A static pod comes from a manifest file in /etc/kubernetes/manifests, not from the API: the kubelet names it
// `<name>-<nodeName>`, gives it a UID hashed from the manifest and the node, and the annotations
// `kubernetes.io/config.hash|seen|source`. It runs it without asking anyone, and shows it to the API as a
// *mirror pod*: the same pod with `kubernetes.io/config.mirror: <hash>` and an owner reference to the Node.
// The mirror's status is the static pod's status; deleting the mirror does not stop the pod, the kubelet
// creates it again.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from './format.ts';

export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';

/** 32 hex digits (upstream: an md5 of the object): four FNV-1a-32 rounds with different seeds. */
function hash128(text: string): string {
  let out = '';
  for (const seed of [0x811c9dc5, 0x01234567, 0x89abcdef, 0x76543210]) {
    let h = seed;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}

/**
 * A manifest as the file source reads it (applyDefaults): named `<name>-<node>`, namespace `default` if
 * none, UID = the config hash, bound to the node, the source annotations set. `seenAt`: virtual ms.
 */
export function staticPodFromManifest(manifest: Pod, nodeName: string, seenAt: number): Pod {
  const meta = manifest.metadata ?? {};
  const uid = hash128(JSON.stringify([manifest, nodeName, 'file']));
  return {
    ...manifest,
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      name: `${meta.name ?? ''}-${nodeName}`,
      namespace: meta.namespace ?? 'default',
      uid,
      annotations: {
        ...meta.annotations,
        [CONFIG_HASH_ANNOTATION]: uid,
        [CONFIG_SEEN_ANNOTATION]: rfc3339(seenAt).replace('Z', '.000000000Z'),
        [CONFIG_SOURCE_ANNOTATION]: 'file',
      },
    },
    spec: { ...manifest.spec!, nodeName },
  };
}

/** The mirror pod the kubelet POSTs for a static pod: owned by the Node, marked with the config hash. */
export function mirrorPodOf(staticPod: Pod, node: { name: string; uid: string }): Pod {
  const { uid, resourceVersion: _rv, ...meta } = staticPod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      annotations: { ...meta.annotations, [CONFIG_MIRROR_ANNOTATION]: uid ?? '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec: staticPod.spec!,
  };
}

/** Whether `pod` in the API is the current mirror of `staticPod` (same hash, not being deleted). */
export function isCurrentMirror(pod: Pod, staticPod: Pod): boolean {
  return pod.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] === staticPod.metadata?.uid && !pod.metadata?.deletionTimestamp;
}
