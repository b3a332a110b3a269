// Server-side printing: the `meta.k8s.io/v1` Table kube-apiserver returns for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what `kubectl get` asks for), built by the
// same per-kind printers (pkg/printers/internalversion) and the handler's includeObject step (asTable).
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { apiVersionOf, RESOURCES } from '../../api/resources.ts';
import { column, CREATION_TIMESTAMP_DESCRIPTION, NAME_COLUMN, type ColumnDefinition } from './columns.ts';
import type { Printer, RowCondition } from './printer.ts';
import { configMapPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './printers/config.ts';
import { eventPrinter } from './printers/events.ts';
import { nodePrinter } from './printers/nodes.ts';
import { podPrinter } from './printers/pods.ts';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './printers/services.ts';
import { daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter } from './printers/workloads.ts';

export type { ColumnDefinition } from './columns.ts';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableRow {
  cells: unknown[];
  conditions?: RowCondition[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

/** Printers by plural resource name (core and events.k8s.io events share one). */
const PRINTERS: Readonly<Record<string, Printer>> = {
  pods: podPrinter,
  nodes: nodePrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  endpointslices: endpointSlicePrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  namespaces: namespacePrinter,
  serviceaccounts: serviceAccountPrinter,
  events: eventPrinter,
  leases: leasePrinter,
  deployments: deploymentPrinter,
  replicasets: replicaSetPrinter,
  daemonsets: daemonSetPrinter,
  jobs: jobPrinter,
};

/** rest.defaultTableConvertor, for resources without a printer: NAME and "Created At". */
const GENERIC: Printer = {
  columns: [NAME_COLUMN, column('Created At', CREATION_TIMESTAMP_DESCRIPTION, { type: 'date' })],
  cells(obj: { metadata?: ObjectMeta }) {
    return [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? '0001-01-01T00:00:00Z'];
  },
};

const INCLUDE_OBJECT_VALUES: readonly string[] = ['None', 'Metadata', 'Object'];

/** The BadRequest message for an includeObject value the apiserver does not know, else undefined. */
export function includeObjectError(value: string | undefined): string | undefined {
  return value === undefined || value === '' || INCLUDE_OBJECT_VALUES.includes(value) ? undefined : `unrecognized includeObject value: "${value}"`;
}

/** "pods", "deployments.apps", "events.events.k8s.io" → the plural and the group (undefined: any). */
function splitResource(resource: string): { plural: string; group?: string } {
  const dot = resource.indexOf('.');
  return dot < 0 ? { plural: resource } : { plural: resource.slice(0, dot), group: resource.slice(dot + 1) };
}

type Obj = { apiVersion?: string; kind?: string; metadata?: ObjectMeta };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a row carries in `object`: the whole object, its metadata as PartialObjectMetadata, or nothing. */
function rowObject(obj: Obj, include: IncludeObject, typeMeta: { apiVersion: string; kind: string } | undefined): unknown {
  if (include === 'None') return null;
  if (include === 'Object') {
    // List items come without apiVersion and kind; the handler converts each to the served version.
    if (!typeMeta || (obj.apiVersion && obj.kind)) return obj;
    const { apiVersion, kind, ...rest } = obj;
    return { apiVersion: apiVersion || typeMeta.apiVersion, kind: kind || typeMeta.kind, ...rest };
  }
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

/** A printer reads a stored object, which validation shaped; should one still trip it, the row keeps its name. */
function safeCells(printer: Printer, obj: Obj, now: number): unknown[] {
  try {
    return printer.cells(obj, now);
  } catch {
    return printer.columns.map((c, i) => (i === 0 ? obj.metadata?.name ?? '' : c.type === 'integer' ? 0 : ''));
  }
}

/**
 * A `meta.k8s.io/v1` Table of `target` (a List or one object) as kube-apiserver prints `resource`
 * (plural, optionally `plural.group`), at virtual time `now`. Wide (priority-1) cells are always present.
 */
export function toTable(resource: string, target: unknown, options: { includeObject?: IncludeObject }, now: number): Table {
  const { plural, group } = splitResource(resource);
  const info = RESOURCES.find((r) => r.plural === plural && (group === undefined || r.group === group));
  const printer = info ? PRINTERS[plural] ?? GENERIC : GENERIC;
  const typeMeta = info ? { apiVersion: apiVersionOf(info), kind: info.kind } : undefined;
  const include = options.includeObject ?? 'Metadata';

  const isList = isObject(target) && Array.isArray(target.items);
  const items = (isList ? (target.items as unknown[]) : [target]).filter(isObject) as Obj[];
  const meta = isObject(target) && isObject(target.metadata) ? (target.metadata as Record<string, unknown>) : {};
  const metadata: Table['metadata'] = {};
  if (typeof meta.resourceVersion === 'string') metadata.resourceVersion = meta.resourceVersion;
  if (isList && typeof meta.continue === 'string' && meta.continue !== '') metadata.continue = meta.continue;
  if (isList && typeof meta.remainingItemCount === 'number') metadata.remainingItemCount = meta.remainingItemCount;

  const rows = items.map((obj): TableRow => {
    const conditions = printer.conditions?.(obj);
    return { cells: safeCells(printer, obj, now), ...(conditions ? { conditions } : {}), object: rowObject(obj, include, typeMeta) };
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: [...printer.columns], rows };
}
