// The protobuf messages of the kinds kubectl sends as protobuf (create deployment|service|configmap|
// namespace|secret), with upstream's field numbers (k8s.io/api core/v1 and apps/v1, apimachinery meta/v1,
// util/intstr, api/resource and runtime generated.proto). Only these messages are described: fields of
// other messages (probes, volumes, affinity, …) are skipped when decoding, which kubectl's generators
// never fill.
//
// Each field: [number, JSON name, type, flag]. Types are protobuf scalars, `map<string,T>` or a message
// below. Flag "keep": the Go field is a pointer or has no omitempty, so a zero value on the wire is
// kept in the JSON form; without it, zero values (which gogo-protobuf writes for every plain field) are
// dropped, as Go's JSON encoding omits them. "repeated" marks lists.

export type Flag = 'keep' | 'repeated';
export type FieldSpec = readonly [number, string, string, Flag?];

export const MESSAGES: Readonly<Record<string, readonly FieldSpec[]>> = {
  // runtime
  Unknown: [[1, 'typeMeta', 'TypeMeta'], [2, 'raw', 'bytes'], [3, 'contentEncoding', 'string'], [4, 'contentType', 'string']],
  TypeMeta: [[1, 'apiVersion', 'string'], [2, 'kind', 'string']],
  // apimachinery
  Time: [[1, 'seconds', 'int64'], [2, 'nanos', 'int32']],
  Quantity: [[1, 'string', 'string']],
  IntOrString: [[1, 'type', 'int64'], [2, 'intVal', 'int32'], [3, 'strVal', 'string']],
  ObjectMeta: [
    [1, 'name', 'string'], [2, 'generateName', 'string'], [3, 'namespace', 'string'], [4, 'selfLink', 'string'], [5, 'uid', 'string'],
    [6, 'resourceVersion', 'string'], [7, 'generation', 'int64'], [8, 'creationTimestamp', 'Time'], [9, 'deletionTimestamp', 'Time'],
    [10, 'deletionGracePeriodSeconds', 'int64', 'keep'], [11, 'labels', 'map<string,string>'], [12, 'annotations', 'map<string,string>'],
    [13, 'ownerReferences', 'OwnerReference', 'repeated'], [14, 'finalizers', 'string', 'repeated'],
  ],
  OwnerReference: [[1, 'kind', 'string'], [3, 'name', 'string'], [4, 'uid', 'string'], [5, 'apiVersion', 'string'], [6, 'controller', 'bool', 'keep'], [7, 'blockOwnerDeletion', 'bool', 'keep']],
  LabelSelector: [[1, 'matchLabels', 'map<string,string>'], [2, 'matchExpressions', 'LabelSelectorRequirement', 'repeated']],
  LabelSelectorRequirement: [[1, 'key', 'string', 'keep'], [2, 'operator', 'string', 'keep'], [3, 'values', 'string', 'repeated']],
  // apps/v1
  Deployment: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'DeploymentSpec'], [3, 'status', 'DeploymentStatus']],
  DeploymentSpec: [
    [1, 'replicas', 'int32', 'keep'], [2, 'selector', 'LabelSelector'], [3, 'template', 'PodTemplateSpec'], [4, 'strategy', 'DeploymentStrategy'],
    [5, 'minReadySeconds', 'int32'], [6, 'revisionHistoryLimit', 'int32', 'keep'], [7, 'paused', 'bool'], [9, 'progressDeadlineSeconds', 'int32', 'keep'],
  ],
  DeploymentStrategy: [[1, 'type', 'string'], [2, 'rollingUpdate', 'RollingUpdateDeployment']],
  RollingUpdateDeployment: [[1, 'maxUnavailable', 'IntOrString'], [2, 'maxSurge', 'IntOrString']],
  DeploymentStatus: [
    [1, 'observedGeneration', 'int64'], [2, 'replicas', 'int32'], [3, 'updatedReplicas', 'int32'], [4, 'availableReplicas', 'int32'],
    [5, 'unavailableReplicas', 'int32'], [7, 'readyReplicas', 'int32'], [8, 'collisionCount', 'int32', 'keep'],
  ],
  // core/v1
  PodTemplateSpec: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'PodSpec']],
  PodSpec: [
    [2, 'containers', 'Container', 'repeated'], [3, 'restartPolicy', 'string'], [4, 'terminationGracePeriodSeconds', 'int64', 'keep'],
    [5, 'activeDeadlineSeconds', 'int64', 'keep'], [6, 'dnsPolicy', 'string'], [7, 'nodeSelector', 'map<string,string>'],
    [8, 'serviceAccountName', 'string'], [9, 'serviceAccount', 'string'], [10, 'nodeName', 'string'], [11, 'hostNetwork', 'bool'],
    [12, 'hostPID', 'bool'], [13, 'hostIPC', 'bool'], [15, 'imagePullSecrets', 'LocalObjectReference', 'repeated'], [16, 'hostname', 'string'],
    [17, 'subdomain', 'string'], [19, 'schedulerName', 'string'], [20, 'initContainers', 'Container', 'repeated'],
    [21, 'automountServiceAccountToken', 'bool', 'keep'], [22, 'tolerations', 'Toleration', 'repeated'], [24, 'priorityClassName', 'string'],
    [25, 'priority', 'int32', 'keep'], [27, 'shareProcessNamespace', 'bool', 'keep'], [29, 'runtimeClassName', 'string', 'keep'],
    [30, 'enableServiceLinks', 'bool', 'keep'], [31, 'preemptionPolicy', 'string', 'keep'],
  ],
  Container: [
    [1, 'name', 'string', 'keep'], [2, 'image', 'string'], [3, 'command', 'string', 'repeated'], [4, 'args', 'string', 'repeated'],
    [5, 'workingDir', 'string'], [6, 'ports', 'ContainerPort', 'repeated'], [7, 'env', 'EnvVar', 'repeated'], [8, 'resources', 'ResourceRequirements'],
    [9, 'volumeMounts', 'VolumeMount', 'repeated'], [13, 'terminationMessagePath', 'string'], [14, 'imagePullPolicy', 'string'],
    [16, 'stdin', 'bool'], [17, 'stdinOnce', 'bool'], [18, 'tty', 'bool'], [20, 'terminationMessagePolicy', 'string'], [24, 'restartPolicy', 'string', 'keep'],
  ],
  ContainerPort: [[1, 'name', 'string'], [2, 'hostPort', 'int32'], [3, 'containerPort', 'int32', 'keep'], [4, 'protocol', 'string'], [5, 'hostIP', 'string']],
  EnvVar: [[1, 'name', 'string', 'keep'], [2, 'value', 'string']],
  ResourceRequirements: [[1, 'limits', 'map<string,Quantity>'], [2, 'requests', 'map<string,Quantity>']],
  VolumeMount: [[1, 'name', 'string', 'keep'], [2, 'readOnly', 'bool'], [3, 'mountPath', 'string', 'keep'], [4, 'subPath', 'string']],
  LocalObjectReference: [[1, 'name', 'string']],
  Toleration: [[1, 'key', 'string'], [2, 'operator', 'string'], [3, 'value', 'string'], [4, 'effect', 'string'], [5, 'tolerationSeconds', 'int64', 'keep']],
  ConfigMap: [[1, 'metadata', 'ObjectMeta'], [2, 'data', 'map<string,string>'], [3, 'binaryData', 'map<string,bytes>'], [4, 'immutable', 'bool', 'keep']],
  Secret: [[1, 'metadata', 'ObjectMeta'], [2, 'data', 'map<string,bytes>'], [3, 'type', 'string'], [4, 'stringData', 'map<string,string>'], [5, 'immutable', 'bool', 'keep']],
  Namespace: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'NamespaceSpec'], [3, 'status', 'NamespaceStatus']],
  NamespaceSpec: [[1, 'finalizers', 'string', 'repeated']],
  NamespaceStatus: [[1, 'phase', 'string']],
  Service: [[1, 'metadata', 'ObjectMeta'], [2, 'spec', 'ServiceSpec'], [3, 'status', 'ServiceStatus']],
  ServiceSpec: [
    [1, 'ports', 'ServicePort', 'repeated'], [2, 'selector', 'map<string,string>'], [3, 'clusterIP', 'string'], [4, 'type', 'string'],
    [5, 'externalIPs', 'string', 'repeated'], [7, 'sessionAffinity', 'string'], [8, 'loadBalancerIP', 'string'],
    [9, 'loadBalancerSourceRanges', 'string', 'repeated'], [10, 'externalName', 'string'], [11, 'externalTrafficPolicy', 'string'],
    [12, 'healthCheckNodePort', 'int32'], [13, 'publishNotReadyAddresses', 'bool'], [17, 'ipFamilyPolicy', 'string', 'keep'],
    [18, 'clusterIPs', 'string', 'repeated'], [19, 'ipFamilies', 'string', 'repeated'], [20, 'allocateLoadBalancerNodePorts', 'bool', 'keep'],
    [21, 'loadBalancerClass', 'string', 'keep'], [22, 'internalTrafficPolicy', 'string', 'keep'],
  ],
  ServicePort: [[1, 'name', 'string'], [2, 'protocol', 'string'], [3, 'port', 'int32', 'keep'], [4, 'targetPort', 'IntOrString'], [5, 'nodePort', 'int32'], [6, 'appProtocol', 'string', 'keep']],
  ServiceStatus: [],
};

/** The top-level kinds a request body may carry, by apiVersion/kind. */
export const KINDS: Readonly<Record<string, string>> = {
  'apps/v1/Deployment': 'Deployment',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/Namespace': 'Namespace',
  'v1/Service': 'Service',
};
