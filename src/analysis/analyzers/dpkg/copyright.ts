import { parseDebControl } from './control.js';

/**
 * License names of a machine-readable (DEP-5) /usr/share/doc/PKG/copyright file, in order of
 * appearance, de-duplicated; [] for free-form copyright files (nothing reliable to extract).
 */
export function dep5Licenses(text: string): string[] {
  const stanzas = parseDebControl(text);
  const header = stanzas[0]?.fields;
  if (!header || !/copyright-format|dep-?5/i.test(header.format ?? '')) return [];
  const out: string[] = [];
  for (const st of stanzas) {
    const lic = st.fields.license;
    if (lic === undefined) continue;
    // The first line only (the rest is the license text, often thousands of lines).
    const nl = lic.indexOf('\n');
    const first = (nl < 0 ? lic : lic.slice(0, nl)).trim();
    // "GPL-2+ or Artistic" names several licenses; a stand-alone license text stanza names one.
    for (const part of first.split(/\s+(?:or|and)\s+|\s*,\s*/i)) {
      const name = part.trim();
      if (name !== '' && !out.includes(name)) out.push(name);
    }
  }
  return out;
}
