// Recursive-descent parser for the label selector grammar, with Go's error messages:
//   <selector> ::= <requirement> | <requirement> "," <selector>
//   <requirement> ::= [!] KEY [ <set-based-restriction> | <exact-match-restriction> ]
import { BINARY_OPERATORS, LabelSelectorError, labelKeyError, newRequirement, type Requirement, type SelectorOperator } from './requirement.ts';
import { lex, type Scanned } from './lexer.ts';

class Parser {
  private position = 0;
  constructor(private readonly items: readonly Scanned[]) {}

  // In value context the keywords `in`/`notin` are ordinary identifiers.
  private asValue(s: Scanned): Scanned {
    return s.tok === 'in' || s.tok === 'notin' ? { tok: 'identifier', lit: s.lit } : s;
  }
  lookahead(valueContext = true): Scanned {
    const s = this.items[this.position];
    return valueContext ? this.asValue(s) : s;
  }
  consume(valueContext = true): Scanned {
    const s = this.items[this.position++];
    return valueContext ? this.asValue(s) : s;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead();
      if (tok === 'identifier' || tok === '!') {
        let r: Requirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          throw new LabelSelectorError(`unable to parse requirement: ${(e as Error).message}`);
        }
        requirements.push(r);
        const next = this.consume();
        if (next.tok === 'end') return requirements;
        if (next.tok === ',') {
          const after = this.lookahead();
          if (after.tok !== 'identifier' && after.tok !== '!') {
            throw new LabelSelectorError(`found '${after.lit}', expected: identifier after ','`);
          }
          continue;
        }
        throw new LabelSelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'end') return requirements;
      throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    // sets.String.List(): unique and sorted.
    return newRequirement(key, op, [...new Set(values)].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: SelectorOperator | undefined } {
    let operator: SelectorOperator | undefined;
    let s = this.consume();
    if (s.tok === '!') {
      operator = '!';
      s = this.consume();
    }
    if (s.tok !== 'identifier') throw new Error(`found '${s.lit}', expected: identifier`);
    const keyErr = labelKeyError(s.lit, '<nil>');
    if (keyErr !== undefined) throw new Error(keyErr);
    const next = this.lookahead().tok;
    if ((next === 'end' || next === ',') && operator !== '!') operator = 'exists';
    return { key: s.lit, operator };
  }

  private parseOperator(): SelectorOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in':
        return 'in';
      case '=':
        return '=';
      case '==':
        return '==';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      case 'notin':
        return 'notin';
      case '!=':
        return '!=';
      default:
        throw new Error(`found '${lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume();
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead();
    if (tok === 'identifier' || tok === ',') {
      const values = this.parseIdentifiersList();
      if (this.consume().tok !== ')') throw new Error(`found '${lit}', expected: ')'`);
      return values;
    }
    if (tok === ')') {
      this.consume();
      return [''];
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume();
      if (tok === 'identifier') {
        values.add(lit);
        const next = this.lookahead();
        if (next.tok === ',') continue;
        if (next.tok === ')') return [...values];
        throw new Error(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        // "(,", ",)" and ",," each denote the empty value.
        if (values.size === 0) values.add('');
        const next = this.lookahead().tok;
        if (next === ')') {
          values.add('');
          return [...values];
        }
        if (next === ',') {
          this.consume();
          values.add('');
        }
        continue;
      }
      throw new Error(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead().tok;
    if (next === 'end' || next === ',') return [''];
    const { tok, lit } = this.consume();
    if (tok === 'identifier') return [lit];
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/** The requirements in source order (callers sort them by key). */
export function parseRequirements(input: string): Requirement[] {
  return new Parser(lex(input)).parse();
}
