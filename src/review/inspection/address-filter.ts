import { nameMatcher } from '../../trace/address-pattern.ts';

/**
 * Which components a live inspection follows: `--inspect-filter etcd-2`, `node-*`, `etcd-1,client-*`.
 * No filter (undefined or blank) follows every component.
 */
export function inspectFilter(list: string | undefined): (address: string) => boolean {
  if (list === undefined || list.trim() === '') return () => true;
  return nameMatcher(list);
}
