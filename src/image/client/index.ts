/** The OCI distribution client: the public surface other modules import. */
export { RegistryClient, defaultCredentials } from './client.js';
export type { RegistryClientOptions } from './transport.js';
export type { BlobStream, UploadOptions, UploadResult } from './blobs.js';
export { VerifyingStream } from './blobs.js';
export type { FetchedManifest, ManifestInfo, PutManifestResult } from './manifests.js';
export { MAX_MANIFEST_BYTES } from './manifests.js';
export type { Referrers, PushReferrerResult } from './referrers.js';
export { referrersTag } from './referrers.js';
export {
  parseReference,
  formatReference,
  referenceTarget,
  isLoopbackHost,
  isValidRepositoryName,
  isValidTag,
  ReferenceError,
  DOCKER_HUB,
  type ImageReference,
} from './reference.js';
export {
  dockerConfigResolver,
  dockerConfigPath,
  loadDockerConfig,
  credentialsFromHelper,
  chainResolvers,
  staticCredentials,
  type Credentials,
  type CredentialResolver,
  type DockerConfig,
} from './credentials.js';
export { RegistryError, DigestMismatchError, parseOciErrors, type OciErrorEntry } from './errors.js';
export { parseWwwAuthenticate, type Challenge } from './auth.js';
