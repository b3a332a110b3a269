// The Kubernetes object model: resource registry, quantities, selectors, defaulting,
// validation and naming, as pure functions.
export * from './resources.ts';
export * from './quantity.ts';
export * from './labels.ts';
export * from './fields.ts';
export * from './defaults.ts';
export * from './validation.ts';
export * from './names.ts';
export * from './decode.ts';
export * from './qos.ts';
export { parseImageReference, type ImageReference } from './image-reference.ts';
export {
  isQualifiedName,
  isValidLabelValue,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDNS1035Label,
  isValidPortName,
  isValidPortNum,
  isConfigMapKey,
} from './validation/rules.ts';
export {
  JOB_NAME_LABEL,
  LEGACY_JOB_NAME_LABEL,
  CONTROLLER_UID_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  DAEMONSET_TEMPLATE_GENERATION_ANNOTATION,
} from './defaults/create.ts';
export { NAMESPACE_NAME_LABEL } from './defaults/core.ts';
export { NOT_READY_TAINT, UNREACHABLE_TAINT, DEFAULT_TOLERATION_SECONDS } from './defaults/pod.ts';
