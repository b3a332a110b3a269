// Watch-guarantee checker: judges recorded watch streams against the committed history.
export { checkWatch } from './check.ts';
export { selectsKey, wantsEvent } from './history.ts';
export { isProgressNotify } from './session.ts';
export type {
  CheckedEvent,
  CheckedKv,
  CheckedWatchRequest,
  CheckedWatchResponse,
  CommittedRevision,
  WatchCheckInput,
  WatchGuarantee,
  WatchSession,
  WatchViolation,
  WatcherTrace,
} from './types.ts';
