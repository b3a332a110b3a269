// printConfigMap, printSecret, printNamespace, printServiceAccount and printLease.
import type { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { AGE_COLUMN, column, NAME_COLUMN } from '../columns.ts';
import { since } from '../format.ts';
import type { Printer } from '../printer.ts';

const size = (m: object | undefined | null): number => Object.keys(m ?? {}).length;

export const configMapPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Data', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
    AGE_COLUMN,
  ],
  cells(cm: ConfigMap, now) {
    return [cm.metadata?.name ?? '', size(cm.data) + size(cm.binaryData), since(cm.metadata?.creationTimestamp, now)];
  },
};

export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    column('Data', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
    AGE_COLUMN,
  ],
  cells(secret: Secret, now) {
    return [secret.metadata?.name ?? '', secret.type ?? '', size(secret.data), since(secret.metadata?.creationTimestamp, now)];
  },
};

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'The status of the namespace'), AGE_COLUMN],
  cells(ns: Namespace, now) {
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)];
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    AGE_COLUMN,
  ],
  cells(sa: ServiceAccount, now) {
    return [sa.metadata?.name ?? '', (sa.secrets ?? []).length, since(sa.metadata?.creationTimestamp, now)];
  },
};

export const leasePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Holder', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
    AGE_COLUMN,
  ],
  cells(lease: Lease, now) {
    return [lease.metadata?.name ?? '', lease.spec?.holderIdentity ?? '', since(lease.metadata?.creationTimestamp, now)];
  },
};
