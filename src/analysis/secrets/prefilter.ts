/**
 * Case-insensitive multi-keyword search (Aho-Corasick compiled to a full DFA over bytes). One pass
 * over the content tells which keywords occur, so each rule's regex only runs on files that can match.
 * A table lookup per byte keeps the hot loop free of branches on the keyword set.
 */
export class KeywordPrefilter {
  /** Byte -> equivalence class: bytes that occur in no keyword share class 0, case folded. */
  private readonly classOf: Uint8Array;
  private readonly classes: number;
  /** Transition table, state * classes + class -> state. Small enough to stay in cache. */
  private readonly delta: Uint16Array | Int32Array;
  /** For each state, the keyword ids that end there (including via suffix links), or undefined. */
  private readonly outputs: (number[] | undefined)[];
  private readonly hasOutput: Uint8Array;
  readonly keywordCount: number;

  constructor(keywords: readonly string[]) {
    this.keywordCount = keywords.length;
    const lowered = keywords.map((kw) => Buffer.from(kw.toLowerCase(), 'latin1'));
    const classOf = new Uint8Array(256);
    let classes = 1;
    for (const bytes of lowered) {
      if (bytes.length === 0) throw new Error('empty keyword');
      for (const b of bytes) if (classOf[b] === 0) classOf[b] = classes++;
    }
    if (classes > 255) throw new Error('too many distinct keyword bytes');
    // Fold ASCII upper case onto lower case so the search ignores case without copying the input.
    for (let c = 0x41; c <= 0x5a; c++) classOf[c] = classOf[c + 0x20]!;

    const gotoRows: Map<number, number>[] = [new Map<number, number>()];
    const outs: number[][] = [[]];
    lowered.forEach((bytes, id) => {
      let s = 0;
      for (const b of bytes) {
        const cls = classOf[b]!;
        const row = gotoRows[s]!;
        let next = row.get(cls);
        if (next === undefined) {
          next = gotoRows.length;
          gotoRows.push(new Map<number, number>());
          outs.push([]);
          row.set(cls, next);
        }
        s = next;
      }
      outs[s]!.push(id);
    });

    const n = gotoRows.length;
    const delta = n < 0xffff ? new Uint16Array(n * classes) : new Int32Array(n * classes);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let c = 0; c < classes; c++) {
      const next = c === 0 ? 0 : (gotoRows[0]!.get(c) ?? 0);
      delta[c] = next;
      if (next !== 0) queue.push(next);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      outs[s]!.push(...outs[fail[s]!]!);
      for (let c = 0; c < classes; c++) {
        const next = c === 0 ? undefined : gotoRows[s]!.get(c);
        if (next !== undefined) {
          fail[next] = delta[fail[s]! * classes + c]!;
          delta[s * classes + c] = next;
          queue.push(next);
        } else {
          delta[s * classes + c] = delta[fail[s]! * classes + c]!;
        }
      }
    }
    this.classOf = classOf;
    this.classes = classes;
    this.delta = delta;
    this.outputs = outs.map((o) => (o.length > 0 ? [...new Set(o)] : undefined));
    this.hasOutput = Uint8Array.from(outs, (o) => (o.length > 0 ? 1 : 0));
  }

  /** Ids of the keywords present in `data` (each at most once). */
  search(data: Uint8Array): Set<number> {
    const found = new Set<number>();
    // Per-search copy: a state's keywords are recorded the first time it is reached, then the
    // state goes quiet, so frequent short keywords cost nothing after their first hit.
    const pending = this.hasOutput.slice();
    const { delta, classOf, classes } = this;
    let s = 0;
    const len = data.length;
    for (let i = 0; i < len; i++) {
      s = delta[s * classes + classOf[data[i]!]!]!;
      if (pending[s] === 1) {
        pending[s] = 0;
        for (const id of this.outputs[s]!) found.add(id);
        if (found.size === this.keywordCount) break;
      }
    }
    return found;
  }
}
