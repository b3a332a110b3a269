// EndpointSliceTracker: the slices this controller wrote and the version each write returned, so a sync
// never acts on a cache that has not caught up with its own writes (upstream tracks `generation`; the
// model's apiserver does not bump an EndpointSlice's generation, so the resourceVersion stands in).
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

/** Per Service key: slice uid → the resourceVersion written, or 'deleted' (deletion expected). */
export type SliceTracker = Readonly<Record<string, Readonly<Record<string, string>>>>;

const DELETED = 'deleted';
const rv = (s: EndpointSlice) => Number(s.metadata?.resourceVersion ?? 0);

export function trackWrite(t: SliceTracker, service: string, slice: EndpointSlice): SliceTracker {
  return { ...t, [service]: { ...t[service], [slice.metadata?.uid ?? '']: String(rv(slice)) } };
}

export function trackDeletion(t: SliceTracker, service: string, uid: string): SliceTracker {
  return { ...t, [service]: { ...t[service], [uid]: DELETED } };
}

export function forgetService(t: SliceTracker, service: string): SliceTracker {
  if (!(service in t)) return t;
  const next = { ...t };
  delete next[service];
  return next;
}

/** StaleSlices: the cache lacks a slice we wrote, shows an older version, or still shows one we deleted. */
export function staleSlices(t: SliceTracker, service: string, slices: readonly EndpointSlice[]): boolean {
  const tracked = t[service];
  if (!tracked) return false;
  const present = new Set<string>();
  for (const slice of slices) {
    const uid = slice.metadata?.uid ?? '';
    present.add(uid);
    const want = tracked[uid];
    if (want !== undefined && (want === DELETED || Number(want) > rv(slice))) return true;
  }
  return Object.entries(tracked).some(([uid, want]) => want !== DELETED && !present.has(uid));
}

/** ShouldSync: a slice change the controller did not make itself. */
export function shouldSync(t: SliceTracker, service: string, slice: EndpointSlice): boolean {
  const want = t[service]?.[slice.metadata?.uid ?? ''];
  return want === undefined || want === DELETED || rv(slice) > Number(want);
}

/** HandleDeletion: forget the slice; true if its deletion was expected. */
export function handleDeletion(t: SliceTracker, service: string, uid: string): [boolean, SliceTracker] {
  const tracked = t[service];
  if (!tracked || !(uid in tracked)) return [false, t];
  const rest = { ...tracked };
  delete rest[uid];
  return [tracked[uid] === DELETED, { ...t, [service]: rest }];
}

export function isTracked(t: SliceTracker, service: string, uid: string): boolean {
  return t[service]?.[uid] !== undefined;
}
