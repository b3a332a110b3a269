import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { ResourceInfo } from '../../api/index.ts';
import type { Status, UserInfo } from '../protocol.ts';
import type { KubeObject } from '../objects.ts';

/** admission.Attributes: what an admission plugin sees of a write. */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  resource: ResourceInfo;
  subresource?: string;
  namespace?: string;
  name: string;
  /** The object as it will be stored (CREATE/UPDATE). */
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
}

/** What plugins may look up: the request's namespace, fetched (cache, then etcd) before admission runs. */
export interface AdmissionLookups {
  namespace?: Namespace;
}

export type AdmitResult = { object: KubeObject } | { status: Status };

/**
 * One admission plugin. `admit` runs in the mutating phase (before validation) and may return a changed
 * object; `validate` runs after validation and may only refuse.
 */
export interface AdmissionPlugin {
  readonly name: string;
  admit?(attributes: AdmissionAttributes, lookups: AdmissionLookups): AdmitResult;
  validate?(attributes: AdmissionAttributes, lookups: AdmissionLookups): Status | undefined;
}
