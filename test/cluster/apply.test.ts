// `kubectl apply -f` through the apiserver: create, configure (three-way strategic merge patch), unchanged,
// for every kind the model serves; errors are the apiserver's Status.
import { describe, expect, it } from 'vitest';
import { LAST_APPLIED, buildCluster, parseManifest, threeWayPatch, type Cluster } from '../../src/cluster/index.ts';

/** A control plane without nodes: enough for API work, quick to start. */
function apiOnly(seed = 1): Cluster {
  return buildCluster({ etcd: { members: 1 }, nodes: [] }, { seed }).start();
}

const EVERY_KIND = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: shop }
data: { env: prod }
---
apiVersion: v1
kind: Secret
metadata: { name: creds, namespace: shop }
stringData: { password: hunter2 }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: robot, namespace: shop }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Endpoints
metadata: { name: manual, namespace: shop }
subsets: [{ addresses: [{ ip: 10.244.1.5 }], ports: [{ port: 80 }] }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: manual-abc, namespace: shop, labels: { kubernetes.io/service-name: manual } }
addressType: IPv4
endpoints: [{ addresses: [10.244.1.5] }]
ports: [{ port: 80 }]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: { name: lock, namespace: shop }
spec: { holderIdentity: me, leaseDurationSeconds: 15 }
---
apiVersion: v1
kind: Pod
metadata: { name: solo, namespace: shop }
spec: { containers: [{ name: app, image: "nginx:1.25" }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: "nginx:1.25" }] }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: bare, namespace: shop }
spec:
  replicas: 0
  selector: { matchLabels: { app: bare } }
  template:
    metadata: { labels: { app: bare } }
    spec: { containers: [{ name: app, image: "nginx:1.25" }] }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: shop }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: agent, image: "busybox:1.36" }] }
---
apiVersion: batch/v1
kind: Job
metadata: { name: once, namespace: shop }
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: job, image: "busybox:1.36" }]
---
apiVersion: v1
kind: Event
metadata: { name: note, namespace: shop }
involvedObject: { kind: Pod, name: solo, namespace: shop }
reason: Noted
message: applied by hand
type: Normal
---
apiVersion: v1
kind: Node
metadata: { name: virtual-1, labels: { kubernetes.io/hostname: virtual-1 } }
`;

describe('cluster.apply (kubectl apply -f)', () => {
  it('creates every kind the model serves, then finds them unchanged', () => {
    const cluster = apiOnly();
    const created = cluster.apply(EVERY_KIND);
    expect(created.map((r) => `${r.target} ${r.action}`)).toEqual([
      'namespace/shop created', 'configmap/settings created', 'secret/creds created', 'serviceaccount/robot created',
      'service/web created', 'endpoints/manual created', 'endpointslice.discovery.k8s.io/manual-abc created',
      'lease.coordination.k8s.io/lock created', 'pod/solo created', 'deployment.apps/web created',
      'replicaset.apps/bare created', 'daemonset.apps/agent created', 'job.batch/once created', 'event/note created',
      'node/virtual-1 created',
    ]);
    expect(created.every((r) => r.method === 'POST')).toBe(true);
    expect(cluster.get('configmaps', 'settings', 'shop')?.metadata?.annotations?.[LAST_APPLIED])
      .toBe('{"apiVersion":"v1","data":{"env":"prod"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"settings","namespace":"shop"}}\n');
    const again = cluster.apply(EVERY_KIND);
    const changed = again.filter((r) => r.action !== 'unchanged').map((r) => r.target);
    // Defaults the server added inside maps do not count as changes. Endpoints' subsets is an atomic list
    // the server defaulted (ports[].protocol: TCP), so its patch replaces it again — as real kubectl's would.
    expect(changed).toEqual(['endpoints/manual']);
  });

  it('configures with a three-way patch: changed fields set, dropped fields deleted, others left alone', () => {
    const cluster = apiOnly(2);
    cluster.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, labels: { a: "1", b: "2" } }\ndata: { x: "1", y: "2" }\n');
    // Someone else adds a label; apply must not remove it.
    cluster.client.call({ verb: 'patch', group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'c', patchType: 'application/merge-patch+json', body: { metadata: { labels: { other: 'x' } } } });
    const [result] = cluster.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, labels: { a: "1" } }\ndata: { x: "10" }\n');
    expect(result).toMatchObject({ target: 'configmap/c', action: 'configured', method: 'PATCH' });
    const live = cluster.get<{ metadata: { labels: Record<string, string> }; data: Record<string, string> }>('configmaps', 'c', 'default')!;
    expect(live.data).toEqual({ x: '10' });
    expect(live.metadata.labels).toEqual({ a: '1', other: 'x' });
  });

  it('reports the apiserver\'s Status for invalid objects and kubectl\'s errors for unknown kinds, applying the rest', () => {
    const cluster = apiOnly(3);
    const results = cluster.applyAll(`apiVersion: apps/v1
kind: Deployment
metadata: { name: bad }
spec:
  replicas: -1
  selector: { matchLabels: { app: bad } }
  template:
    metadata: { labels: { app: bad } }
    spec: { containers: [{ name: app, image: "nginx:1.25" }] }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: w }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: fine }
`);
    expect(results.map((r) => r.action)).toEqual(['failed', 'failed', 'created']);
    expect(results[0].status).toMatchObject({ kind: 'Status', code: 422, reason: 'Invalid' });
    expect(results[0].error).toBe('Error from server (Invalid): error when creating "STDIN": Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(results[1].error).toBe('error: resource mapping not found for name: "w" namespace: "" from "STDIN": no matches for kind "Widget" in version "example.com/v1"');
    expect(() => cluster.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: fine, namespace: nope }\n')).toThrow(/namespaces "nope" not found/);
  });

  it('reads manifests as kubectl does: multi-document, List kinds, empty documents skipped', () => {
    expect(parseManifest('---\n---\napiVersion: v1\nkind: List\nitems:\n- { apiVersion: v1, kind: ConfigMap, metadata: { name: a } }\n- { apiVersion: v1, kind: ConfigMap, metadata: { name: b } }\n---\n')
      .map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(() => parseManifest('a: [1,', 'x.yaml')).toThrow(/^error: error parsing x\.yaml: document 1/);
  });
});

describe('threeWayPatch', () => {
  it('sets what changed, deletes what the last configuration had, leaves the rest', () => {
    const original = { metadata: { labels: { a: '1', b: '2' } }, spec: { replicas: 3, paused: false } };
    const modified = { metadata: { labels: { a: '1' } }, spec: { replicas: 5 } };
    const current = { metadata: { labels: { a: '1', b: '2', c: '3' }, uid: 'u' }, spec: { replicas: 3, paused: false, strategy: { type: 'RollingUpdate' } } };
    expect(threeWayPatch(original, modified, current)).toEqual({ metadata: { labels: { b: null } }, spec: { replicas: 5, paused: null } });
    expect(threeWayPatch(modified, modified, { ...current, spec: { ...current.spec, replicas: 5 }, metadata: { labels: { a: '1' } } })).toEqual({});
  });

  it('merges keyed lists item by item and deletes dropped items with $patch: delete', () => {
    const c = (name: string, image: string) => ({ name, image });
    const original = { spec: { containers: [c('app', 'nginx:1'), c('sidecar', 'envoy:1')] } };
    const modified = { spec: { containers: [c('app', 'nginx:2')] } };
    const current = { spec: { containers: [{ ...c('app', 'nginx:1'), imagePullPolicy: 'IfNotPresent' }, c('sidecar', 'envoy:1')] } };
    expect(threeWayPatch(original, modified, current)).toEqual({
      spec: { containers: [{ name: 'app', image: 'nginx:2' }, { name: 'sidecar', $patch: 'delete' }] },
    });
  });
});
