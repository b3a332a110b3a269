// Linearizability checking of etcd-style KV histories (Wing–Gong–Lowe search, as Porcupine does).
export type { KvErrorOutput, KvInput, KvOkOutput, KvOpKind, KvOutput, KvPair, Operation } from './history.ts';
export { checkLinearizable } from './checker.ts';
export type { CheckFailure, CheckOptions, CheckResult, CheckSuccess, CheckUnknown } from './checker.ts';
export { describeKvOperation, KV_SEARCH_OPTIONS, kvModel, modelOptionsFor } from './model.ts';
export type { KeyState, KvModel, KvModelOptions, KvState, StoreState } from './model.ts';
export type { Model, SearchBudget, SearchOp, SearchOutcome } from './search-types.ts';
export { createBudget } from './search-types.ts';
export { createSearch, searchLinearization } from './search.ts';
export type { ResumableSearch, SearchOptions } from './search.ts';
export { MalformedHistoryError, prepareHistory } from './prepare.ts';
export type { PreparedOp } from './prepare.ts';
export { layoutFailure, renderFailureHtml, renderFailureText } from './render.ts';
export type { HtmlRenderOptions, TextRenderOptions } from './render.ts';
export { simulateKvHistory } from './simulate.ts';
export type { KvSimulation, KvSimulationConfig } from './simulate.ts';
