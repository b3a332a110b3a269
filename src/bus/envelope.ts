/** An address on the bus: `etcd-1`, `apiserver-0`, `node-2/kubelet`. The part before `/` is the host. */
export type Address = string;

/** A message on the wire. `message` is the event the receiver's machine gets (its `type` is the message type). */
export interface Envelope<M extends { type: string } = { type: string; [field: string]: unknown }> {
  /** Sequence number, unique per bus: copies made by duplication share the original's id. */
  readonly id: number;
  readonly from: Address;
  readonly to: Address;
  readonly type: string;
  readonly message: M;
  readonly sentAt: number;
  /** When the network will hand it to `to`; set when the message is accepted onto the wire. */
  readonly deliverAt: number;
  /** 0 for the original, 1… for copies made by the duplication fault. */
  readonly copy: number;
}

/** What the bus reports on its tap: every send, delivery and drop, in the order they happen. */
export type BusEvent =
  | { kind: 'send'; at: number; envelope: Envelope }
  | { kind: 'deliver'; at: number; envelope: Envelope }
  | { kind: 'drop'; at: number; envelope: Envelope; reason: DropReason };

export type DropReason = 'loss' | 'partition' | 'unreachable';

/** The host part of an address: `node-2/kubelet` → `node-2`. */
export function hostOf(address: Address): string {
  const slash = address.indexOf('/');
  return slash < 0 ? address : address.slice(0, slash);
}
