// The list and patch markers of upstream's types.go (`patchStrategy`, `patchMergeKey`, `+listType`,
// `+listMapKey`), which the OpenAPI documents carry as x-kubernetes-* extensions: kubectl reads them to
// build strategic merge patches (client-side apply), server-side apply to merge lists. The declarations
// of kubernetes-types do not carry them, so they are listed here, for the kinds this model serves.

export interface ListMarkers {
  patchStrategy?: 'merge' | 'merge,retainKeys' | 'retainKeys';
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
}

const map = (keys: string[], patchStrategy: ListMarkers['patchStrategy'] = 'merge'): ListMarkers => ({ patchStrategy, patchMergeKey: keys[0], listType: 'map', listMapKeys: keys });
const mergedMapOn = (patchMergeKey: string, listMapKeys: string[]): ListMarkers => ({ patchStrategy: 'merge', patchMergeKey, listType: 'map', listMapKeys });
const ATOMIC: ListMarkers = { listType: 'atomic' };
const MERGED_SET: ListMarkers = { patchStrategy: 'merge', listType: 'set' };

const CONTAINER: Record<string, ListMarkers> = {
  args: ATOMIC,
  command: ATOMIC,
  ports: mergedMapOn('containerPort', ['containerPort', 'protocol']),
  env: map(['name']),
  envFrom: ATOMIC,
  volumeMounts: map(['mountPath']),
  volumeDevices: map(['devicePath']),
  resizePolicy: ATOMIC,
};

/** Markers by "<module>.<Type>" and field name. */
export const LIST_MARKERS: Readonly<Record<string, Readonly<Record<string, ListMarkers>>>> = {
  'meta/v1.ObjectMeta': { finalizers: MERGED_SET, ownerReferences: map(['uid']), managedFields: ATOMIC },
  'meta/v1.LabelSelector': { matchExpressions: ATOMIC },
  'meta/v1.LabelSelectorRequirement': { values: ATOMIC },
  'core/v1.PodSpec': {
    volumes: map(['name'], 'merge,retainKeys'),
    initContainers: map(['name']),
    containers: map(['name']),
    ephemeralContainers: map(['name']),
    imagePullSecrets: map(['name']),
    hostAliases: map(['ip']),
    topologySpreadConstraints: mergedMapOn('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    readinessGates: ATOMIC,
    tolerations: ATOMIC,
    schedulingGates: map(['name']),
    resourceClaims: map(['name'], 'merge,retainKeys'),
  },
  'core/v1.Container': CONTAINER,
  'core/v1.EphemeralContainer': CONTAINER,
  'core/v1.PodStatus': {
    conditions: map(['type']),
    podIPs: map(['ip']),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    initContainerStatuses: ATOMIC,
    containerStatuses: ATOMIC,
    ephemeralContainerStatuses: ATOMIC,
    resourceClaimStatuses: map(['name'], 'merge,retainKeys'),
  },
  'core/v1.ServiceSpec': { ports: mergedMapOn('port', ['port', 'protocol']), clusterIPs: ATOMIC, externalIPs: ATOMIC, ipFamilies: ATOMIC, loadBalancerSourceRanges: ATOMIC },
  'core/v1.ServiceStatus': { conditions: map(['type']) },
  'core/v1.NodeSpec': { podCIDRs: MERGED_SET, taints: ATOMIC },
  'core/v1.NodeStatus': { conditions: map(['type']), addresses: map(['type']), images: ATOMIC, volumesInUse: ATOMIC, volumesAttached: ATOMIC },
  'core/v1.NamespaceSpec': { finalizers: ATOMIC },
  'core/v1.NamespaceStatus': { conditions: map(['type']) },
  'core/v1.ServiceAccount': { secrets: map(['name']), imagePullSecrets: ATOMIC },
  'core/v1.Endpoints': { subsets: ATOMIC },
  'core/v1.EndpointSubset': { addresses: ATOMIC, notReadyAddresses: ATOMIC, ports: ATOMIC },
  'core/v1.Capabilities': { add: ATOMIC, drop: ATOMIC },
  'apps/v1.DeploymentSpec': { strategy: { patchStrategy: 'retainKeys' } },
  'apps/v1.DeploymentStatus': { conditions: map(['type']) },
  'apps/v1.ReplicaSetStatus': { conditions: map(['type']) },
  'apps/v1.DaemonSetStatus': { conditions: map(['type']) },
  'batch/v1.JobStatus': { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  'discovery/v1.EndpointSlice': { endpoints: ATOMIC, ports: ATOMIC },
  'discovery/v1.Endpoint': { addresses: { listType: 'set' } },
};

/** Structs whose maps/fields are atomic as a whole (`+structType=atomic` / `+mapType=atomic`). */
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set(['meta/v1.LabelSelector', 'core/v1.ObjectReference', 'core/v1.LocalObjectReference', 'core/v1.NodeSelector']);

export function markersOf(module: string, type: string, field: string): ListMarkers | undefined {
  return LIST_MARKERS[`${module}.${type}`]?.[field];
}
