/** A complete HTTP answer the front door writes as is: status line, Content-Type and body. */
export interface HttpReply {
  status: number;
  contentType: string;
  body: string | Uint8Array;
}

export function jsonReply(body: unknown, contentType = 'application/json', status = 200): HttpReply {
  return { status, contentType, body: JSON.stringify(body) };
}
