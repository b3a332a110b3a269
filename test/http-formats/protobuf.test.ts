import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeProtobuf, encodeProtobuf, ProtobufDecodeError } from '../../src/http/protobuf/index.ts';
import { numRuns } from '../fc.ts';

/** Bodies kubectl 1.33 sent for `kubectl create …` (captured from the wire, hex). */
const KUBECTL_133 = {
  // create deployment web --image=nginx:1.25 --replicas=3 --port=80
  deployment: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a0022002a003200380042005a0a0a036170701203776562128b010803120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125112330a056e67696e78120a6e67696e783a312e32352a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  // create deployment zero --image=busybox --replicas=0 -- sleep 3600
  deploymentZero: '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c1010a210a047a65726f12001a0022002a003200380042005a0b0a0361707012047a65726f128d010800120d0a0b0a0361707012047a65726f1a720a1d0a0012001a0022002a003200380042005a0b0a0361707012047a65726f125112330a0762757379626f78120762757379626f781a05736c6565701a04333630302a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
  // create configmap demo-config --from-literal=env=prod
  configMap: '6b3873000a0f0a0276311209436f6e6669674d6170122a0a1b0a0b64656d6f2d636f6e66696712001a0022002a00320038004200120b0a03656e76120470726f641a002200',
  // create service clusterip web --tcp=80:8080
  service: '6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a003200380042005a0a0a03617070120377656212420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a002209436c757374657249503a00420052005a00600068001a020a001a002200',
  // create namespace demo
  namespace: '6b3873000a0f0a02763112094e616d657370616365121c0a140a0464656d6f12001a0022002a0032003800420012001a020a001a002200',
  // create secret generic s1 --from-literal=pw=hunter2
  secret: '6b3873000a0c0a027631120653656372657412250a120a02733112001a0022002a00320038004200120d0a027077120768756e746572321a001a002200',
};

const decodeHex = (hex: string) => decodeProtobuf(Buffer.from(hex, 'hex'));

describe('protobuf request bodies', () => {
  it('decodes what kubectl create sends into the JSON kubectl would have sent', () => {
    expect(decodeHex(KUBECTL_133.deployment)).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: {} }] } },
        strategy: {},
      },
      status: {},
    });
    const zero = decodeHex(KUBECTL_133.deploymentZero) as any;
    expect(zero.spec.replicas).toBe(0); // a pointer: an explicit zero survives
    expect(zero.spec.template.spec.containers[0].command).toEqual(['sleep', '3600']);
    expect(decodeHex(KUBECTL_133.configMap)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'demo-config' }, data: { env: 'prod' } });
    expect(decodeHex(KUBECTL_133.service)).toEqual({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'ClusterIP' },
      status: {},
    });
    expect(decodeHex(KUBECTL_133.namespace)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' }, spec: {}, status: {} });
    expect(decodeHex(KUBECTL_133.secret)).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { pw: Buffer.from('hunter2').toString('base64') } });
  });

  it('round-trips objects through the encoder', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { a: 'b' }, creationTimestamp: '2024-04-17T00:00:05Z', finalizers: ['x'] },
      spec: {
        replicas: 2, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }], resources: { limits: { cpu: '500m', memory: '128Mi' } }, ports: [{ containerPort: 80, protocol: 'TCP' }] }],
            nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }], terminationGracePeriodSeconds: 0,
          },
        },
      },
    };
    expect(decodeProtobuf(encodeProtobuf(deployment))).toEqual(deployment);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' }, binaryData: { b: 'AAEC' }, immutable: false };
    expect(decodeProtobuf(encodeProtobuf(cm))).toEqual(cm);
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }], selector: { app: 's' } } };
    expect(decodeProtobuf(encodeProtobuf(svc))).toEqual(svc);
  });

  it('refuses what is not a protobuf object of a known kind, with the decoder messages', () => {
    expect(() => decodeProtobuf(new TextEncoder().encode('{"kind":"Pod"}'))).toThrow('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
    const pod = encodeProtobuf({ apiVersion: 'v1', kind: 'ConfigMap' });
    pod[pod.indexOf(0x43)] = 0x44; // "ConfigMap" → "DonfigMap"
    expect(() => decodeProtobuf(pod)).toThrow('no kind "DonfigMap" is registered for version "v1"');
    const truncated = Buffer.from(KUBECTL_133.deployment, 'hex').subarray(0, 60);
    expect(() => decodeProtobuf(truncated)).toThrow(ProtobufDecodeError);
  });

  it('never throws anything but a ProtobufDecodeError on hostile bytes', () => {
    const valid = Buffer.from(KUBECTL_133.deployment, 'hex');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(valid.length - 1), fc.boolean(), (noise, at, splice) => {
        const bytes = splice ? Uint8Array.from([...valid.subarray(0, at), ...noise]) : Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...noise]);
        try {
          const out = decodeProtobuf(bytes);
          expect(typeof out).toBe('object');
        } catch (e) {
          expect(e).toBeInstanceOf(ProtobufDecodeError);
        }
      }),
      { numRuns: numRuns(300) },
    );
  });
});
