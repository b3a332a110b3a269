// Protobuf request bodies (application/vnd.kubernetes.protobuf), as kubectl ≥ 1.32 sends them for
// `kubectl create deployment|service|configmap|namespace|secret`: the "k8s\0" envelope, a runtime.Unknown
// naming apiVersion and kind, and the object's message, decoded into the object's JSON form.
import { Field, MapField, Root, Type } from 'protobufjs';
import { KINDS, MESSAGES, type FieldSpec } from './messages.ts';

/** A protobuf body that cannot be decoded: the front door answers 400 with `message`. */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64']);

function mapValueType(type: string): string | undefined {
  const m = /^map<string,(\w+)>$/.exec(type);
  return m ? m[1] : undefined;
}

/** protobufjs types built from the compact description (once). */
const types: Record<string, Type> = (() => {
  const root = new Root();
  const out: Record<string, Type> = {};
  for (const [name, fields] of Object.entries(MESSAGES)) {
    const t = new Type(name);
    for (const [id, fieldName, type, flag] of fields) {
      const value = mapValueType(type);
      if (value !== undefined) t.add(new MapField(fieldName, id, 'string', value));
      else t.add(new Field(fieldName, id, type, flag === 'repeated' ? 'repeated' : 'optional'));
    }
    root.add(t);
    out[name] = t;
  }
  root.resolveAll();
  return out;
})();

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** metav1.Time: whole seconds, RFC 3339 UTC; an empty message is the zero time (JSON null, omitted). */
function timeToJson(msg: Record<string, unknown>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(msg, 'seconds')) return undefined;
  const ms = toNumber(msg.seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new ProtobufDecodeError('proto: Time: seconds out of range');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function intOrStringToJson(msg: Record<string, unknown>): number | string | undefined {
  const isString = toNumber(msg.type ?? 0) === 1;
  if (isString) return (msg.strVal as string | undefined) ?? '';
  const n = toNumber(msg.intVal ?? 0);
  return n === 0 ? undefined : n; // an int 0 is what defaulting treats as unset
}

function scalarToJson(type: string, v: unknown): unknown {
  if (type === 'bytes') return base64(v as Uint8Array);
  if (type === 'int64' || type === 'int32') return toNumber(v);
  return v;
}

function valueToJson(type: string, v: unknown): unknown {
  if (SCALARS.has(type)) return scalarToJson(type, v);
  const msg = v as Record<string, unknown>;
  if (type === 'Time') return timeToJson(msg);
  if (type === 'IntOrString') return intOrStringToJson(msg);
  if (type === 'Quantity') return (msg.string as string | undefined) ?? '';
  return messageToJson(type, msg);
}

const isZero = (v: unknown): boolean => v === '' || v === 0 || v === false;

/** A decoded message in the JSON shape Go's encoder gives the same struct (zero plain fields omitted). */
function messageToJson(type: string, msg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, name, fieldType, flag] of MESSAGES[type] as readonly FieldSpec[]) {
    if (!Object.prototype.hasOwnProperty.call(msg, name)) continue;
    const v = msg[name];
    const mapValue = mapValueType(fieldType);
    if (mapValue !== undefined) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length > 0) out[name] = Object.fromEntries(entries.map(([k, x]) => [k, valueToJson(mapValue, x)]));
    } else if (flag === 'repeated') {
      const list = v as unknown[];
      if (list.length > 0) out[name] = list.map((x) => valueToJson(fieldType, x));
    } else {
      const json = valueToJson(fieldType, v);
      if (json === undefined || (flag !== 'keep' && isZero(json))) continue;
      out[name] = json;
    }
  }
  return out;
}

function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  try {
    return types[type].decode(bytes) as unknown as Record<string, unknown>;
  } catch (e) {
    throw new ProtobufDecodeError(`proto: ${type}: ${(e as Error).message}`);
  }
}

/** A `k8s\0`-enveloped runtime.Unknown body, decoded into the object's JSON form (throws ProtobufDecodeError). */
export function decodeProtobuf(bytes: Uint8Array): unknown {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ProtobufDecodeError(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`);
  }
  const unknown = decodeMessage('Unknown', bytes.subarray(MAGIC.length));
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  if (typeof unknown.contentEncoding === 'string' && unknown.contentEncoding !== '') {
    throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(unknown.contentEncoding)}`);
  }
  if (typeof unknown.contentType === 'string' && unknown.contentType !== '' && unknown.contentType !== 'application/vnd.kubernetes.protobuf') {
    throw new ProtobufDecodeError(`unsupported content type ${JSON.stringify(unknown.contentType)} in the protobuf envelope`);
  }
  if (kind === '') throw new ProtobufDecodeError(`Object 'Kind' is missing in the protobuf envelope`);
  const message = KINDS[`${apiVersion}/${kind}`];
  if (message === undefined) throw new ProtobufDecodeError(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/runtime/scheme.go:100"`);
  const raw = (unknown.raw as Uint8Array | undefined) ?? new Uint8Array();
  return { apiVersion, kind, ...messageToJson(message, decodeMessage(message, raw)) };
}

// ---- encoding (tests, and any client of the model that wants to speak protobuf) ----------------------

function valueFromJson(type: string, v: unknown): unknown {
  if (type === 'bytes') return Buffer.from(String(v), 'base64');
  if (SCALARS.has(type)) return v;
  if (type === 'Time') return { seconds: Math.floor(Date.parse(String(v)) / 1000) };
  if (type === 'IntOrString') return typeof v === 'number' ? { type: 0, intVal: v } : { type: 1, strVal: String(v) };
  if (type === 'Quantity') return { string: String(v) };
  return messageFromJson(type, v as Record<string, unknown>);
}

function messageFromJson(type: string, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, name, fieldType, flag] of MESSAGES[type] as readonly FieldSpec[]) {
    const v = obj?.[name];
    if (v === undefined || v === null) continue;
    const mapValue = mapValueType(fieldType);
    if (mapValue !== undefined) out[name] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, valueFromJson(mapValue, x)]));
    else if (flag === 'repeated') out[name] = (v as unknown[]).map((x) => valueFromJson(fieldType, x));
    else out[name] = valueFromJson(fieldType, v);
  }
  return out;
}

/** The protobuf body kubectl would send for `obj` (one of the kinds above). */
export function encodeProtobuf(obj: { apiVersion: string; kind: string; [field: string]: unknown }): Uint8Array {
  const message = KINDS[`${obj.apiVersion}/${obj.kind}`];
  if (message === undefined) throw new Error(`no protobuf message for ${obj.apiVersion}/${obj.kind}`);
  const raw = types[message].encode(messageFromJson(message, obj)).finish();
  const envelope = types.Unknown.encode({ typeMeta: { apiVersion: obj.apiVersion, kind: obj.kind }, raw }).finish();
  const out = new Uint8Array(MAGIC.length + envelope.length);
  out.set(MAGIC, 0);
  out.set(envelope, MAGIC.length);
  return out;
}
