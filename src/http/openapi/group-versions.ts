// The group/versions the OpenAPI documents describe, and the kinds each one's schemas start from.
import { RESOURCES } from '../../api/resources.ts';
import { moduleOf } from '../../apiserver/patch/schema/type-catalog.ts';

export interface GroupVersion {
  group: string;
  version: string;
}

/** "api/v1", "apis/apps/v1": the index keys and URL suffixes. */
export function gvPath(gv: GroupVersion): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

export function servedGroupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of RESOURCES) seen.set(gvPath(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

/** Kinds a group/version's operations name besides its resources (subresource bodies, errors). */
function extraRoots(gv: GroupVersion): { module: string; name: string }[] {
  const extra = [{ module: 'meta/v1', name: 'Status' }, { module: 'meta/v1', name: 'DeleteOptions' }, { module: 'meta/v1', name: 'Patch' }];
  const resources = RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);
  if (resources.some((r) => r.subresources.includes('scale'))) extra.push({ module: 'autoscaling/v1', name: 'Scale' });
  if (resources.some((r) => r.subresources.includes('eviction'))) extra.push({ module: 'policy/v1', name: 'Eviction' });
  if (resources.some((r) => r.subresources.includes('binding'))) extra.push({ module: 'core/v1', name: 'Binding' });
  return extra;
}

/** The kinds a group/version's document describes: its resources, their lists, and the extra roots. */
export function schemaRoots(gv: GroupVersion): { module: string; name: string }[] {
  const resources = RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version);
  const module = moduleOf(gv.group, gv.version);
  return [...resources.flatMap((r) => [{ module, name: r.kind }, { module, name: `${r.kind}List` }]), ...extraRoots(gv)];
}
