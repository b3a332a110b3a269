// The Container Runtime Interface on the bus: what the kubelet (`<node>/kubelet`) asks its container runtime
// (`<node>/containerd`) and what the runtime answers. One request message carries one CRI call, named as the
// CRI's RuntimeService/ImageService methods; the answer carries the call's result and the runtime's state
// after it (the kubelet's runtime cache, see docs/kubelet.md).
import type { IpamState } from './ipam.ts';
import type { ContainerRecord, CreateContainerRequest, RuntimeState, SandboxRecord } from './runtime.ts';
import type { CachedImage } from './registry.ts';

export interface SandboxPodRef {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
}

export type CriCall =
  /**
   * ImageService.PullImage. `pullId` is the pull the kubelet's cache expects; `joined` says the cache found
   * that pull already under way (for another pod), which the runtime then joins even if it just finished.
   */
  | { readonly method: 'PullImage'; readonly image: string; readonly pullId: string; readonly joined: boolean }
  /** The kubelet has consumed a pull's outcome (kubesim bookkeeping: upstream PullImage simply returns). */
  | { readonly method: 'ReleasePull'; readonly pullId: string }
  /** RunPodSandbox; the CNI plugin (host-local IPAM) inside the runtime assigns the pod IP. */
  | { readonly method: 'RunPodSandbox'; readonly pod: SandboxPodRef; readonly hostNetwork: boolean; readonly sandboxId: string }
  | { readonly method: 'StopPodSandbox'; readonly sandboxId: string }
  | { readonly method: 'RemovePodSandbox'; readonly sandboxId: string }
  /** CreateContainer; `containerId` is the id the kubelet's cache expects. */
  | { readonly method: 'CreateContainer'; readonly request: CreateContainerRequest; readonly containerId: string }
  | { readonly method: 'StartContainer'; readonly containerId: string }
  /** StopContainer: SIGTERM, then SIGKILL after `timeoutMs`. */
  | { readonly method: 'StopContainer'; readonly containerId: string; readonly timeoutMs: number }
  | { readonly method: 'RemoveContainer'; readonly containerId: string }
  /** The PLEG's relist (ListPodSandbox + ListContainers) and the image list, in one call. */
  | { readonly method: 'Relist' }
  | { readonly method: 'ContainerStatus'; readonly containerId: string }
  | { readonly method: 'ListContainers'; readonly podUid?: string }
  | { readonly method: 'ListPodSandbox'; readonly podUid?: string }
  | { readonly method: 'ListImages' };

export type CriMethod = CriCall['method'];

/** What a call returns besides the snapshot. */
export type CriResult =
  | { readonly pullId: string }
  | { readonly sandboxId: string }
  | { readonly containerId: string }
  | { readonly container: ContainerRecord }
  | { readonly containers: readonly ContainerRecord[] }
  | { readonly sandboxes: readonly SandboxRecord[] }
  | { readonly images: readonly (CachedImage & { readonly name: string })[] }
  | Record<string, never>;

/** The runtime's durable state: containerd's metadata store and the CNI plugin's IP reservations. */
export interface RuntimeSnapshot {
  readonly runtime: RuntimeState;
  readonly ipam: IpamState;
}

/** kubelet → runtime. */
export interface CriRequestMessage {
  type: 'cri.request';
  requestId: string;
  call: CriCall;
}

/** runtime → kubelet. A failed call carries the gRPC error text ("rpc error: code = … desc = …"). */
export interface CriResponseMessage {
  type: 'cri.response';
  requestId: string;
  ok: boolean;
  result?: CriResult;
  error?: string;
  /** The runtime's state after the call, as of the runtime's clock. */
  snapshot: RuntimeSnapshot;
}

/** Start recording the CRI calls made on `state` (see RuntimeState.journal). */
export function withJournal(state: RuntimeState): RuntimeState {
  return { ...state, journal: [] };
}

/** The calls recorded since withJournal, and the state without its journal. */
export function takeJournal(state: RuntimeState): [calls: readonly CriCall[], state: RuntimeState] {
  const { journal = [], ...rest } = state;
  return [journal, rest];
}

/** Calls that change the runtime (everything a sync may send); the others only read. */
export function isMutatingCall(call: CriCall): boolean {
  return !['Relist', 'ContainerStatus', 'ListContainers', 'ListPodSandbox', 'ListImages'].includes(call.method);
}
