import type { CampaignProfile } from './types.ts';
import { clusterProfile } from './cluster/profile.ts';
import { etcdProfile } from './etcd/profile.ts';

/** Every campaign profile `kubesim check --profile` knows. */
export function campaignProfiles(): CampaignProfile<unknown>[] {
  return [etcdProfile as CampaignProfile<unknown>, clusterProfile as CampaignProfile<unknown>];
}

export function findProfile(name: string): CampaignProfile<unknown> | undefined {
  return campaignProfiles().find((profile) => profile.name === name);
}
