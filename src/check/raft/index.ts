export { RaftSafetyChecker, checkAppliedStateAgreement } from './safety-checker.ts';
export { entriesEqual } from './entry-equality.ts';
export type { RaftDurableView, RaftEntryView, RaftMemberView, RaftProperty, RaftViewRole, RaftViolation } from './types.ts';
