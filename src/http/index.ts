/**
 * The HTTP front door (`kubesim up`): kube-apiserver's REST API over HTTP, translated to the bus messages
 * of the apiserver actors. See docs/http.md.
 */
export { ADMIN_USER, FRONT_DOOR_ADDRESS, startFrontDoor, type FrontDoor, type FrontDoorOptions } from './server.ts';
export { ApiBusClient, type ApiAnswer, type Liveness } from './bus-client.ts';
export type { HealthCheck } from './health.ts';
export { SERVED_VERSION, type VersionInfo } from './version.ts';
export { writeKubeconfig, kubeconfigFor } from './kubeconfig.ts';
