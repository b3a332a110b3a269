// The label selector lexer, byte for byte as Go's (NUL ends input; specials are =!(),><).

export type Token =
  | 'error'
  | 'end'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | 'identifier'
  | 'in'
  | '<'
  | '!='
  | 'notin'
  | '(';

export interface Scanned {
  readonly tok: Token;
  readonly lit: string;
}

const LITERAL_TOKENS: Readonly<Record<string, Token>> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecialSymbol = (c: string): boolean => '=!(),><'.includes(c) && c.length === 1;

export function lex(input: string): Scanned[] {
  // Go's lexer reads bytes and treats NUL as end of input.
  const bytes = Buffer.from(input, 'utf8');
  let pos = 0;
  const read = (): string => (pos < bytes.length ? String.fromCharCode(bytes[pos++]) : '\0');
  const unread = (): void => {
    pos--;
  };
  const decode = (chars: string[]): string => Buffer.from(chars.map((c) => c.charCodeAt(0))).toString('utf8');

  const items: Scanned[] = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    unread();
    if (isSpecialSymbol(ch)) {
      const buffer: string[] = [];
      let last: Scanned | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecialSymbol(c)) {
          unread();
          break;
        }
        buffer.push(c);
        const tok = LITERAL_TOKENS[buffer.join('')];
        if (tok !== undefined) last = { tok, lit: buffer.join('') };
        else if (last !== undefined) {
          unread();
          break;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer.join('')}'` });
    } else {
      const buffer: string[] = [];
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecialSymbol(c) || isWhitespace(c)) {
          unread();
          break;
        }
        buffer.push(c);
      }
      const word = decode(buffer);
      items.push({ tok: LITERAL_TOKENS[word] ?? 'identifier', lit: word });
    }
  }
}
