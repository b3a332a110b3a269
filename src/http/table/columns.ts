/**
 * metav1.TableColumnDefinition as kube-apiserver's printers declare them
 * (pkg/printers/internalversion/printers.go). Descriptions are the Go types' SwaggerDoc strings, shortened
 * where kubectl never shows them (it prints only the upper-cased names).
 */
export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column; `wide` ones (priority 1) are shown only by `kubectl get -o wide`. */
export function column(name: string, description: string, options: { type?: ColumnDefinition['type']; wide?: boolean; format?: string } = {}): ColumnDefinition {
  return { name, type: options.type ?? 'string', format: options.format ?? '', description, priority: options.wide ? 1 : 0 };
}

export const NAME_COLUMN = column('Name', NAME_DESCRIPTION, { format: 'name' });
export const AGE_COLUMN = column('Age', CREATION_TIMESTAMP_DESCRIPTION);
export const CONTAINERS_COLUMN = column('Containers', 'Names of each container in the template.', { wide: true });
export const IMAGES_COLUMN = column('Images', 'Images referenced by each container in the template.', { wide: true });

export function selectorColumn(description: string): ColumnDefinition {
  return column('Selector', description, { wide: true });
}
