import { normalisePath } from './path.js';
import { DEFAULT_LAYER_LIMITS, type LayerEntry, type LayerWarning } from './types.js';

/** Metadata of one path in the assembled filesystem (never the content). */
export interface VfsNode {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Symlinks: the raw target. */
  linkTarget?: string;
  /** Regular files created as hard links: the path they were linked from. */
  hardlinkOf?: string;
  /** Index of the layer that last wrote this path. */
  layerIndex: number;
  mtime?: Date;
}

interface TreeNode extends VfsNode {
  children?: Map<string, TreeNode>;
}

export type VfsEntry = Omit<LayerEntry, 'read'>;

export class LinkDepthError extends Error {
  constructor(readonly path: string) {
    super(`too many levels of symbolic links resolving ${path}`);
    this.name = 'LinkDepthError';
  }
}

export interface VirtualFsOptions {
  maxLinkDepth?: number;
  maxNodes?: number;
}

/**
 * The final filesystem of an image as metadata: layers applied in order with whiteouts, opaque
 * directories and hard links; symlinks resolved inside the virtual tree only, with a depth bound.
 */
export class VirtualFs {
  readonly warnings: LayerWarning[] = [];
  private readonly root: TreeNode = { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, layerIndex: -1, children: new Map() };
  private nodes = 1;
  private readonly maxLinkDepth: number;
  private readonly maxNodes: number;

  constructor(opts: VirtualFsOptions = {}) {
    this.maxLinkDepth = opts.maxLinkDepth ?? DEFAULT_LAYER_LIMITS.maxLinkDepth;
    this.maxNodes = opts.maxNodes ?? 2_000_000;
  }

  get size(): number {
    return this.nodes;
  }

  /** Applies one layer entry (entries of a layer in archive order, layers in image order). */
  apply(entry: VfsEntry, layerIndex: number): void {
    switch (entry.type) {
      case 'whiteout':
        return this.whiteout(entry.path, layerIndex);
      case 'opaque':
        return this.opaque(entry.path, layerIndex);
      case 'hardlink':
        return this.hardlink(entry, layerIndex);
      default:
        this.put(entry.path, {
          type: entry.type,
          mode: entry.mode,
          uid: entry.uid,
          gid: entry.gid,
          size: entry.size,
          layerIndex,
          ...(entry.linkTarget !== undefined && entry.type === 'symlink' ? { linkTarget: entry.linkTarget } : {}),
          ...(entry.mtime ? { mtime: entry.mtime } : {}),
        });
    }
  }

  /** The node at `path` without following a final symlink (lstat); parents are followed. */
  lstat(path: string): VfsNode | undefined {
    const resolved = this.resolve(path, false);
    return resolved === undefined ? undefined : this.lookup(resolved);
  }

  /** The node at `path`, following symlinks (stat); undefined when absent or dangling. */
  stat(path: string): VfsNode | undefined {
    const resolved = this.resolve(path, true);
    return resolved === undefined ? undefined : this.lookup(resolved);
  }

  exists(path: string): boolean {
    return this.lstat(path) !== undefined;
  }

  /** Names in a directory (following symlinks), sorted. */
  readdir(path: string): string[] {
    const resolved = this.resolve(path, true);
    const node = resolved === undefined ? undefined : this.lookupTree(resolved);
    return node?.children ? [...node.children.keys()].sort() : [];
  }

  /**
   * Resolves symlinks in `path` inside the virtual tree. Returns the canonical path of an existing
   * node, or undefined when a component is missing. Throws LinkDepthError on loops.
   */
  resolve(path: string, followLast = true): string | undefined {
    let pending = splitPath(normalisePath(path));
    let current: string[] = [];
    let depth = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      const dir = this.lookupTree(joinPath(current));
      const child = dir?.children?.get(name);
      if (!child) return undefined;
      if (child.type === 'symlink' && (pending.length > 0 || followLast)) {
        if (++depth > this.maxLinkDepth) throw new LinkDepthError(path);
        const target = normalisePath(child.linkTarget ?? '', joinPath(current));
        pending = [...splitPath(target), ...pending];
        current = [];
        continue;
      }
      current.push(name);
    }
    return joinPath(current);
  }

  /** Every path with its node, depth-first in sorted order. */
  *walk(): Generator<[string, VfsNode]> {
    const stack: [string, TreeNode][] = [['/', this.root]];
    while (stack.length > 0) {
      const [path, node] = stack.pop()!;
      yield [path, publicNode(node)];
      if (node.children) {
        const names = [...node.children.keys()].sort().reverse();
        for (const n of names) stack.push([path === '/' ? `/${n}` : `${path}/${n}`, node.children.get(n)!]);
      }
    }
  }

  private lookup(path: string): VfsNode | undefined {
    const node = this.lookupTree(path);
    return node ? publicNode(node) : undefined;
  }

  private lookupTree(path: string): TreeNode | undefined {
    let node: TreeNode | undefined = this.root;
    for (const name of splitPath(path)) {
      node = node?.children?.get(name);
      if (!node) return undefined;
    }
    return node;
  }

  /** Finds (creating implicit directories) the directory that holds `path`, following symlinks in parents. */
  private parentOf(path: string, layerIndex: number): { dir: TreeNode; name: string } | undefined {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) return undefined;
    let dirPath = joinPath(parts);
    try {
      // Like containerd's apply, a parent that is a symlink is followed, but only inside the root.
      dirPath = this.resolveCreating(parts, layerIndex);
    } catch (err) {
      if (!(err instanceof LinkDepthError)) throw err;
      this.warnings.push({ code: 'link-depth', message: err.message, path });
      return undefined;
    }
    const dir = this.lookupTree(dirPath);
    if (!dir?.children) {
      this.warnings.push({ code: 'not-a-directory', message: `parent of ${path} is not a directory`, path });
      return undefined;
    }
    return { dir, name };
  }

  private resolveCreating(parts: string[], layerIndex: number): string {
    let pending = [...parts];
    let current: string[] = [];
    let depth = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      const dir = this.lookupTree(joinPath(current));
      if (!dir?.children) return joinPath([...current, name, ...pending]);
      let child = dir.children.get(name);
      if (!child) {
        child = { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, layerIndex, children: new Map() };
        this.addChild(dir, name, child);
      }
      if (child.type === 'symlink') {
        if (++depth > this.maxLinkDepth) throw new LinkDepthError(joinPath([...current, name]));
        const target = normalisePath(child.linkTarget ?? '', joinPath(current));
        pending = [...splitPath(target), ...pending];
        current = [];
        continue;
      }
      current.push(name);
    }
    return joinPath(current);
  }

  private addChild(dir: TreeNode, name: string, node: TreeNode): void {
    const old = dir.children!.get(name);
    if (old) this.nodes -= countNodes(old);
    if (this.nodes >= this.maxNodes) {
      this.warnings.push({ code: 'vfs-node-limit', message: `more than ${this.maxNodes} paths in the image` });
      return;
    }
    dir.children!.set(name, node);
    this.nodes += countNodes(node);
  }

  private put(path: string, meta: VfsNode): void {
    if (path === '/') {
      if (meta.type === 'dir') Object.assign(this.root, meta, { children: this.root.children });
      return;
    }
    const at = this.parentOf(path, meta.layerIndex);
    if (!at) return;
    const old = at.dir.children!.get(at.name);
    if (old?.type === 'dir' && meta.type === 'dir') {
      Object.assign(old, meta, { children: old.children });
      return;
    }
    this.addChild(at.dir, at.name, meta.type === 'dir' ? { ...meta, children: new Map() } : { ...meta });
  }

  private hardlink(entry: VfsEntry, layerIndex: number): void {
    const targetPath = entry.linkTarget ?? '';
    const target = this.lookupTree(this.resolve(targetPath, false) ?? targetPath);
    if (!target || target.type === 'dir') {
      this.warnings.push({ code: 'hardlink-target', message: `hard link to missing ${targetPath}`, path: entry.path });
      return;
    }
    const { children: _c, ...meta } = target;
    this.put(entry.path, { ...meta, layerIndex, hardlinkOf: targetPath });
  }

  private whiteout(path: string, layerIndex: number): void {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) return;
    const dirPath = this.safeResolve(joinPath(parts));
    const dir = dirPath === undefined ? undefined : this.lookupTree(dirPath);
    const victim = dir?.children?.get(name);
    // A whiteout hides lower layers only; a path its own layer added stays.
    if (victim && victim.layerIndex < layerIndex) {
      dir!.children!.delete(name);
      this.nodes -= countNodes(victim);
    }
  }

  private opaque(path: string, layerIndex: number): void {
    const resolved = this.safeResolve(path);
    const dir = resolved === undefined ? undefined : this.lookupTree(resolved);
    if (!dir?.children) return;
    for (const [name, child] of dir.children) {
      if (child.layerIndex < layerIndex) {
        dir.children.delete(name);
        this.nodes -= countNodes(child);
      }
    }
  }

  private safeResolve(path: string): string | undefined {
    try {
      return this.resolve(path, true);
    } catch (err) {
      if (err instanceof LinkDepthError) {
        this.warnings.push({ code: 'link-depth', message: err.message, path });
        return undefined;
      }
      throw err;
    }
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function joinPath(parts: string[]): string {
  return `/${parts.join('/')}`;
}

function countNodes(node: TreeNode): number {
  let n = 1;
  if (node.children) for (const c of node.children.values()) n += countNodes(c);
  return n;
}

function publicNode(node: TreeNode): VfsNode {
  const { children: _children, ...rest } = node;
  return rest;
}
