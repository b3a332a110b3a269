import type { IncomingMessage } from 'node:http';
import { parseAllDocuments } from 'yaml';
import type { ApiRequest, PatchType } from '../apiserver/protocol.ts';
import { badRequest, entityTooLarge, refuse, unsupportedMediaType } from './errors.ts';
import { goJsonError } from './json-error.ts';
import { decodeProtobuf, ProtobufDecodeError } from './protobuf/index.ts';

/**
 * Request bodies: read with a size limit (413), decoded by Content-Type (415 for what no decoder takes),
 * and refused with kube-apiserver's 400 wording when they do not parse. What reaches the apiserver actor
 * is the parsed value; its own decoder then checks kind, apiVersion and field types.
 */

/** kube-apiserver's --max-request-body-bytes default (3 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Nesting deeper than this is refused (400). Upstream's JSON decoder stops at 10 000; the apiserver actor's
 * recursive defaulting, validation and patching need a lower ceiling, and no Kubernetes object comes close.
 */
export const MAX_BODY_DEPTH = 1_000;

export const BODY_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] as const;
export const PATCH_MEDIA_TYPES: readonly PatchType[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** The raw body, at most `limit` bytes; a larger one is a 413 (checked on Content-Length first). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
      done = true;
    });
    req.on('error', (error) => {
      if (!done) reject(error);
      done = true;
    });
    // The client went away before sending the whole body: nothing will answer it.
    req.on('close', () => {
      if (!done && !req.complete) reject(new Error('the client closed the request before sending its body'));
      done = true;
    });
  });
}

function tooLarge(limit: number): Error {
  try {
    refuse(entityTooLarge(limit));
  } catch (error) {
    return error as Error;
  }
}

/** summarizeData(body, 30), as the decoder's BadRequest quotes a body. */
function summarize(bytes: Uint8Array): string {
  if (bytes.length === 0) return '<empty>';
  const cut = bytes.length > 30 ? bytes.subarray(0, 30) : bytes;
  const more = bytes.length > 30 ? ' ...' : '';
  if (bytes[0] === 0x7b) return new TextDecoder().decode(cut) + more;
  return Buffer.from(cut).toString('hex') + more;
}

/** The deepest nesting of objects and arrays in `value`, counted without recursion. */
export function depthOf(value: unknown, stopAt = MAX_BODY_DEPTH + 1): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest >= stopAt) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: goJsonError(text, error as Error) };
  }
}

function parseYaml(text: string): { value: unknown } | { error: string } {
  try {
    const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
    if (!Array.isArray(docs)) return { error: 'yaml: the input is empty' };
    const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
    if (nonEmpty.length === 0) return { value: null };
    const doc = nonEmpty[0];
    if (doc.errors.length > 0) return { error: `yaml: ${doc.errors[0].message.split('\n')[0]}` };
    // Only the first document counts, as the YAML decoder reads one object per request.
    return { value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { error: `yaml: ${(error as Error).message.split('\n')[0]}` };
  }
}

export interface DecodedBody {
  body: unknown;
  patchType?: PatchType;
}

/**
 * Decodes a write's body. `kind` names the type the URL expects (for the decoder's messages); it is the
 * resource's kind when known.
 */
export function decodeBody(bytes: Buffer, contentType: string | undefined, verb: ApiRequest['verb'], kind: string): DecodedBody {
  const mediaType = mediaTypeOf(contentType);
  if (verb === 'patch') return decodePatch(bytes, mediaType);
  if (bytes.length === 0) return { body: undefined };
  const unrecognized = (reason: string): never =>
    refuse(badRequest(`the object provided is unrecognized (must be of type ${kind}): ${reason} (${summarize(bytes)})`));
  let value: unknown;
  switch (mediaType) {
    case '':
    case 'application/json': {
      const parsed = parseJson(bytes.toString('utf8'));
      if ('error' in parsed) unrecognized(`couldn't get version/kind; json parse error: ${parsed.error}`);
      value = (parsed as { value: unknown }).value;
      break;
    }
    case 'application/yaml': {
      const parsed = parseYaml(bytes.toString('utf8'));
      if ('error' in parsed) unrecognized(`error converting YAML to JSON: ${parsed.error}`);
      value = (parsed as { value: unknown }).value;
      break;
    }
    case 'application/vnd.kubernetes.protobuf':
      try {
        value = decodeProtobuf(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
      } catch (error) {
        if (error instanceof ProtobufDecodeError) refuse(badRequest(error.message));
        refuse(badRequest(`the object provided is unrecognized (must be of type ${kind}): ${(error as Error).message}`));
      }
      break;
    default:
      refuse(unsupportedMediaType(BODY_MEDIA_TYPES));
  }
  checkDepth(value);
  return { body: value };
}

function decodePatch(bytes: Buffer, mediaType: string): DecodedBody {
  const patchType = PATCH_MEDIA_TYPES.find((t) => t === mediaType);
  if (!patchType) refuse(unsupportedMediaType(PATCH_MEDIA_TYPES));
  const text = bytes.toString('utf8');
  if (patchType === 'application/apply-patch+yaml') {
    const parsed = parseYaml(text);
    if ('error' in parsed) refuse(badRequest(`error decoding YAML: ${parsed.error}`));
    const value = (parsed as { value: unknown }).value;
    checkDepth(value);
    return { body: value, patchType };
  }
  const parsed = parseJson(text);
  if ('error' in parsed) refuse(badRequest(parsed.error));
  const value = (parsed as { value: unknown }).value;
  checkDepth(value);
  return { body: value, patchType };
}

function checkDepth(value: unknown): void {
  if (depthOf(value) > MAX_BODY_DEPTH) refuse(badRequest(`json: exceeded max depth of ${MAX_BODY_DEPTH}`));
}
