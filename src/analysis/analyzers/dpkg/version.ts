/**
 * dpkg's version syntax check (lib/dpkg/parsehelp.c parseversion): returns the problem, or
 * undefined when `[epoch:]upstream[-revision]` is well formed.
 */
export function debVersionProblem(v: string): string | undefined {
  if (v === '') return 'version is empty';
  if (/\s/.test(v)) return 'version contains whitespace';
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    const epoch = v.slice(0, colon);
    if (!/^\d+$/.test(epoch)) return 'epoch is not a number';
    if (Number(epoch) > 2147483647) return 'epoch is too big';
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '') return 'upstream version is empty';
  if (dash >= 0 && revision === '') return 'revision is empty';
  if (!/^\d/.test(upstream)) return 'upstream version does not start with a digit';
  if (!/^[A-Za-z0-9.+~:-]*$/.test(upstream)) return 'invalid character in upstream version';
  if (!/^[A-Za-z0-9.+~]*$/.test(revision)) return 'invalid character in revision';
  return undefined;
}
