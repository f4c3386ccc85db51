import { describe, expect, it } from 'vitest';
import { LinkDepthError, VirtualFs, type VfsEntry } from './vfs.js';

const f = (path: string, extra: Partial<VfsEntry> = {}): VfsEntry => ({ path, type: 'file', size: 1, mode: 0o644, uid: 0, gid: 0, ...extra });
const d = (path: string): VfsEntry => f(path, { type: 'dir', mode: 0o755, size: 0 });
const l = (path: string, target: string): VfsEntry => f(path, { type: 'symlink', linkTarget: target, size: 0 });

function build(layers: VfsEntry[][]): VirtualFs {
  const vfs = new VirtualFs({ maxLinkDepth: 8 });
  layers.forEach((entries, i) => entries.forEach((e) => vfs.apply(e, i)));
  return vfs;
}

describe('VirtualFs', () => {
  it('applies layers in order with whiteouts and opaque directories', () => {
    const vfs = build([
      [d('/etc'), f('/etc/a'), f('/etc/b'), d('/var/log'), f('/var/log/x'), f('/root/.npmrc')],
      [f('/root/.npmrc', { type: 'whiteout' }), f('/var/log', { type: 'opaque' }), f('/var/log/new'), f('/etc/a', { mode: 0o600 })],
    ]);
    expect(vfs.exists('/root/.npmrc')).toBe(false);
    expect(vfs.readdir('/var/log')).toEqual(['new']);
    expect(vfs.stat('/etc/a')).toMatchObject({ mode: 0o600, layerIndex: 1 });
    expect(vfs.stat('/etc/b')).toMatchObject({ layerIndex: 0 });
    expect(vfs.exists('/root')).toBe(true); // implicit parent stays
  });

  it('a whiteout does not delete what its own layer added, and removes whole subtrees', () => {
    const vfs = build([[f('/a/b/c'), f('/a/b/d')], [d('/x'), f('/x/y'), f('/x', { type: 'whiteout' }), f('/a', { type: 'whiteout' })]]);
    expect(vfs.exists('/x/y')).toBe(true);
    expect(vfs.exists('/a')).toBe(false);
    expect(vfs.exists('/a/b/c')).toBe(false);
  });

  it('resolves symlinks inside the virtual root only', () => {
    const vfs = build([[d('/usr/bin'), f('/usr/bin/dash', { mode: 0o755 }), l('/bin', 'usr/bin'), l('/usr/bin/sh', 'dash'), l('/escape', '../../../../usr/bin/sh'), l('/abs', '/bin/sh')]]);
    expect(vfs.resolve('/bin/sh')).toBe('/usr/bin/dash');
    expect(vfs.resolve('/escape')).toBe('/usr/bin/dash');
    expect(vfs.resolve('/abs')).toBe('/usr/bin/dash');
    expect(vfs.lstat('/bin/sh')).toMatchObject({ type: 'symlink' });
    expect(vfs.stat('/bin/sh')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(vfs.stat('/nope')).toBeUndefined();
  });

  it('bounds symlink loops', () => {
    const vfs = build([[l('/a', 'b'), l('/b', 'a'), l('/self', '/self/x')]]);
    expect(() => vfs.resolve('/a')).toThrow(LinkDepthError);
    expect(() => vfs.stat('/self')).toThrow(LinkDepthError);
    expect(vfs.lstat('/a')).toMatchObject({ type: 'symlink' });
    // Writing through a looping parent is refused with a warning, not a hang.
    vfs.apply(f('/a/file'), 1);
    expect(vfs.warnings.map((w) => w.code)).toContain('link-depth');
  });

  it('follows a symlinked parent when a later layer writes through it (merged /usr)', () => {
    const vfs = build([[d('/usr/bin'), l('/bin', 'usr/bin')], [f('/bin/tool')]]);
    expect(vfs.lstat('/usr/bin/tool')).toMatchObject({ type: 'file', layerIndex: 1 });
    expect(vfs.lstat('/bin')).toMatchObject({ type: 'symlink' });
  });

  it('hard links copy the target metadata; a missing target is a warning', () => {
    const vfs = build([[f('/usr/bin/su', { mode: 0o4755, size: 99 }), f('/usr/bin/su2', { type: 'hardlink', linkTarget: '/usr/bin/su' }), f('/x', { type: 'hardlink', linkTarget: '/missing' })]]);
    expect(vfs.stat('/usr/bin/su2')).toMatchObject({ type: 'file', mode: 0o4755, size: 99, hardlinkOf: '/usr/bin/su' });
    expect(vfs.exists('/x')).toBe(false);
    expect(vfs.warnings.map((w) => w.code)).toEqual(['hardlink-target']);
  });

  it('walks every path in sorted order and counts nodes', () => {
    const vfs = build([[f('/b'), f('/a/z'), f('/a/y')]]);
    expect([...vfs.walk()].map(([p]) => p)).toEqual(['/', '/a', '/a/y', '/a/z', '/b']);
    expect(vfs.size).toBe(5);
  });
});
