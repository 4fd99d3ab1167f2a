/**
 * `{name}` macros in destination URLs, bodies and headers. Values are encoded for where they
 * land: URL components percent-encoded, JSON string contents escaped, header values as they are.
 */
export type MacroEncoding = 'url' | 'json' | 'none';
/** What an unknown macro becomes: nothing, its own text, or an error. */
export type UnknownMacro = 'empty' | 'keep' | 'error';

const MACRO = /\{([A-Za-z0-9_.-]+)\}/g;

export function macroNames(template: string): string[] {
  return [...new Set([...template.matchAll(MACRO)].map((m) => m[1]!))];
}

export type Rendered = { ok: true; text: string } | { ok: false; unknown: string[] };

export function renderMacros(template: string, values: Readonly<Record<string, string>>, encoding: MacroEncoding, unknown: UnknownMacro): Rendered {
  const missing: string[] = [];
  const text = template.replace(MACRO, (whole, name: string) => {
    // Own values only: `{constructor}` or `{toString}` is an unknown macro, not Object.prototype's.
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) {
      missing.push(name);
      return unknown === 'keep' ? whole : '';
    }
    return encode(value, encoding);
  });
  return unknown === 'error' && missing.length > 0 ? { ok: false, unknown: [...new Set(missing)] } : { ok: true, text };
}

function encode(value: string, encoding: MacroEncoding): string {
  switch (encoding) {
    case 'url':
      return encodeURIComponent(value);
    case 'json':
      return JSON.stringify(value).slice(1, -1);
    case 'none':
      return value;
  }
}

/**
 * Checks a template when it is saved: macros that no event can fill are refused when the
 * destination says unknown macros are errors. Payload keys are open-ended, so any name is
 * possible there; `known` lists the hub's own fields.
 */
export function unknownMacros(template: string, known: ReadonlySet<string>, allowPayloadKeys: boolean): string[] {
  return macroNames(template).filter((name) => !known.has(name) && !(allowPayloadKeys && name.startsWith('payload.')));
}
