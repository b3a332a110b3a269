import { describe, expect, it } from 'vitest';
import { withKubeadmControlPlane } from '../../src/cli/commands/up.ts';
import { InputError, resolveClusterSpec } from '../../src/cluster/index.ts';

describe('the controlPlane spec field', () => {
  it('is off unless asked for, and kubesim up turns it on unless the spec says otherwise', () => {
    expect(resolveClusterSpec({}).controlPlane).toBeUndefined();
    expect(resolveClusterSpec({ controlPlane: { staticPods: true } }).controlPlane).toEqual({ staticPods: true, addons: false });
    expect(withKubeadmControlPlane({ apiservers: 2 })).toEqual({ apiservers: 2, controlPlane: { staticPods: true, addons: true } });
    expect(withKubeadmControlPlane({ controlPlane: {} })).toEqual({ controlPlane: {} });
  });

  it('rejects unknown keys, non-booleans and nodes named like control-plane nodes', () => {
    expect(() => resolveClusterSpec({ controlPlane: { staticPod: true } })).toThrow(InputError);
    expect(() => resolveClusterSpec({ controlPlane: { addons: 'yes' } })).toThrow(/cluster\.controlPlane\.addons/);
    expect(() => resolveClusterSpec({ nodes: [{ name: 'control-plane-1' }] })).toThrow(/control-plane host name/);
  });
});
