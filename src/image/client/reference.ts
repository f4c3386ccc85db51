import { isDigest } from '../digest.js';

/**
 * Image references as docker and the distribution project spell them:
 * `[host[:port]/]path[:tag][@digest]`, where a first component is a registry host only if it
 * contains `.` or `:` or is `localhost`; otherwise the image lives on Docker Hub, and a
 * single-component name there is in `library/`.
 */

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's API endpoint differs from its name. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
export const DEFAULT_TAG = 'latest';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const MAX_NAME = 255;

export class ReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceError';
  }
}

export interface ImageReference {
  /** Registry name as written (`docker.io` for Hub), with port if any. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/debian`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function isValidRepositoryName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME) return false;
  return name.split('/').every((c) => COMPONENT.test(c));
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/**
 * Parses a reference. A reference with neither tag nor digest gets `latest` unless
 * `defaultTag` is false.
 */
export function parseReference(input: string, opts: { defaultTag?: boolean } = {}): ImageReference {
  const text = input.trim();
  if (text.length === 0) throw new ReferenceError('empty image reference');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw new ReferenceError(`invalid digest in reference "${input}"`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw new ReferenceError(`invalid tag "${tag}" in reference "${input}"`);
  }
  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      if (!HOST.test(first)) throw new ReferenceError(`invalid registry host "${first}" in reference "${input}"`);
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API_HOST) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!isValidRepositoryName(repository)) {
    throw new ReferenceError(`invalid repository name "${repository}" in reference "${input}" (lowercase letters, digits and . _ - separators)`);
  }
  if (tag === undefined && digest === undefined && opts.defaultTag !== false) tag = DEFAULT_TAG;
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The tag or digest to ask the registry for; a digest wins when both are given. */
export function referenceTarget(ref: ImageReference): string {
  const target = ref.digest ?? ref.tag;
  if (target === undefined) throw new ReferenceError(`reference ${formatReference(ref)} has neither tag nor digest`);
  return target;
}

export function formatReference(ref: ImageReference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** The host[:port] the API is served on. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** True for hosts that never leave the machine, where plain HTTP is acceptable. */
export function isLoopbackHost(hostPort: string): boolean {
  let host = hostPort;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.includes(':')) host = host.slice(0, host.lastIndexOf(':'));
  host = host.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
