import * as CDX from '@cyclonedx/cyclonedx-library';

export type LicenseFact = { kind: 'id'; id: string } | { kind: 'expression'; expression: string } | { kind: 'name'; name: string };

const TOKEN = /\s*(\(|\)|[A-Za-z0-9.+:-]+)\s*/y;

/** The canonical SPDX id for a token ("mit" → "MIT"), or undefined when it is none. */
function spdxId(token: string): string | undefined {
  const plus = token.endsWith('+');
  const base = plus ? token.slice(0, -1) : token;
  if (/^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(base)) return token;
  const fixed = CDX.SPDX.fixupSpdxId(base);
  return fixed ? `${fixed}${plus ? '+' : ''}` : undefined;
}

/**
 * Checks an SPDX license expression (ids, LicenseRef-, AND/OR/WITH, parentheses) and returns it
 * with canonical ids, or undefined when it is not one. Exception names after WITH are taken as
 * written: the exception list is not available here.
 */
export function spdxExpression(text: string): string | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    tokens.push(m[1]!);
  }
  let i = 0;
  const out: string[] = [];
  const term = (): boolean => {
    const t = tokens[i];
    if (t === '(') {
      out.push('(');
      i++;
      if (!expr() || tokens[i] !== ')') return false;
      out.push(')');
      i++;
      return true;
    }
    if (t === undefined || /^(AND|OR|WITH)$/i.test(t) || t === ')') return false;
    const id = spdxId(t);
    if (!id) return false;
    out.push(id);
    i++;
    if (tokens[i]?.toUpperCase() === 'WITH') {
      const exc = tokens[i + 1];
      if (!exc || exc === '(' || exc === ')') return false;
      out.push('WITH', exc);
      i += 2;
    }
    return true;
  };
  const expr = (): boolean => {
    if (!term()) return false;
    while (i < tokens.length && /^(AND|OR)$/i.test(tokens[i]!)) {
      out.push(tokens[i]!.toUpperCase());
      i++;
      if (!term()) return false;
    }
    return true;
  };
  if (tokens.length === 0 || !expr() || i !== tokens.length) return undefined;
  return out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
}

export function classifyLicense(text: string): LicenseFact {
  const trimmed = text.trim();
  const id = spdxId(trimmed);
  if (id && !id.includes(' ') && !id.endsWith('+') && !id.startsWith('LicenseRef-') && CDX.SPDX.isSupportedSpdxId(id)) return { kind: 'id', id };
  const expression = spdxExpression(trimmed);
  if (expression) return { kind: 'expression', expression };
  return { kind: 'name', name: trimmed };
}
