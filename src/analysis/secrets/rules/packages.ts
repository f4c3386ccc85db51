import type { SecretRule } from '../types.js';
import { assigned, prefixed } from './helpers.js';

/** Package registries, artifact stores and infrastructure tooling. */
export const PACKAGE_RULES: SecretRule[] = [
  { id: 'npm-access-token', category: 'Npm', title: 'npm access token', severity: 'CRITICAL', ...prefixed('npm_', '[A-Za-z0-9]{36}') },
  {
    // npm's own format for registry credentials in .npmrc; `${NPM_TOKEN}` references are filtered as placeholders.
    id: 'npmrc-auth-token', category: 'Npm', title: 'npm registry credential in .npmrc', severity: 'HIGH',
    keywords: ['_authtoken', '_auth=', '_auth =', '_password'],
    filterPlaceholders: true,
    regex: '(?:^|:)_(?:authToken|auth|password)\\s*=\\s*["\']?(?<secret>[^\\s"\'$]{8,})', flags: 'm',
  },
  {
    id: 'pypi-upload-token', category: 'PyPI', title: 'PyPI upload token', severity: 'HIGH',
    ...prefixed('pypi-AgEIcHlwaS5vcmc', '[A-Za-z0-9_-]{50,1000}'),
  },
  { id: 'rubygems-api-token', category: 'RubyGems', title: 'Rubygem API token', severity: 'MEDIUM', ...prefixed('rubygems_', '[a-f0-9]{48}') },
  { id: 'nuget-api-key', category: 'NuGet', title: 'NuGet API key', severity: 'HIGH', ...prefixed('oy2', '[a-z0-9]{43}') },
  {
    id: 'private-packagist-token', category: 'Private Packagist', title: 'Private Packagist token', severity: 'HIGH',
    keywords: ['packagist_uut_', 'packagist_ort_', 'packagist_out_'],
    regex: '(?<secret>packagist_(?:uut|ort|out)_[a-fA-F0-9]{68})',
  },
  { id: 'clojars-api-token', category: 'Clojars', title: 'Clojars API token', severity: 'MEDIUM', ...prefixed('CLOJARS_', '[A-Za-z0-9]{60}') },
  {
    // ~/.docker/config.json: "auths": {"host": {"auth": "base64(user:password)"}}
    id: 'docker-config-auth', category: 'Docker', title: 'Registry credentials in Docker config.json', severity: 'HIGH',
    keywords: ['"auths"'],
    regex: '"auths"\\s*:\\s*\\{[\\s\\S]{0,4000}?"auth"\\s*:\\s*"(?<secret>[A-Za-z0-9+/]{8,}={0,2})"',
  },
  {
    id: 'dockerconfig-secret', category: 'Docker', title: 'Dockerconfig secret exposed', severity: 'HIGH',
    keywords: ['dockerc'],
    regex: '\\.(?:dockerconfigjson|dockercfg):\\s*\\|*\\s*(?<secret>(?:ey|ew)+[A-Za-z0-9/+=]{20,})', flags: 'i',
  },
  { id: 'dockerhub-pat', category: 'Docker', title: 'Docker Hub personal access token', severity: 'HIGH', ...prefixed('dckr_pat_', '[A-Za-z0-9_-]{27}') },
  { id: 'artifactory-api-key', category: 'JFrog', title: 'JFrog Artifactory API key', severity: 'HIGH', ...prefixed('AKCp', '[A-Za-z0-9]{69}') },
  { id: 'artifactory-reference-token', category: 'JFrog', title: 'JFrog Artifactory reference token', severity: 'HIGH', ...prefixed('cmVmdGtu', '[A-Za-z0-9]{56}') },
  {
    id: 'hashicorp-tf-api-token', category: 'HashiCorp', title: 'HashiCorp Terraform user/org API token', severity: 'MEDIUM',
    keywords: ['atlasv1.'], regex: '(?<![A-Za-z0-9])(?<secret>[a-zA-Z0-9]{14}\\.atlasv1\\.[a-zA-Z0-9_=-]{60,70})',
  },
  { id: 'vault-service-token', category: 'HashiCorp', title: 'HashiCorp Vault service token', severity: 'HIGH', ...prefixed('hvs.', '[A-Za-z0-9_-]{90,120}') },
  { id: 'vault-batch-token', category: 'HashiCorp', title: 'HashiCorp Vault batch token', severity: 'HIGH', ...prefixed('hvb.', '[A-Za-z0-9_-]{138,300}') },
  { id: 'pulumi-api-token', category: 'Pulumi', title: 'Pulumi API token', severity: 'HIGH', ...prefixed('pul-', '[a-f0-9]{40}') },
  { id: 'doppler-api-token', category: 'Doppler', title: 'Doppler API token', severity: 'MEDIUM', ...prefixed('dp.pt.', '[A-Za-z0-9]{43}') },
  { id: 'postman-api-token', category: 'Postman', title: 'Postman API token', severity: 'MEDIUM', ...prefixed('PMAK-', '[a-fA-F0-9]{24}-[a-fA-F0-9]{34}') },
  { id: 'prefect-api-token', category: 'Prefect', title: 'Prefect API token', severity: 'HIGH', ...prefixed('pnu_', '[A-Za-z0-9]{36}') },
  { id: 'readme-api-token', category: 'ReadMe', title: 'ReadMe API token', severity: 'MEDIUM', ...prefixed('rdme_', '[a-z0-9]{70}') },
  { id: 'scalingo-api-token', category: 'Scalingo', title: 'Scalingo API token', severity: 'HIGH', ...prefixed('tk-us-', '[A-Za-z0-9_-]{48}') },
  { id: 'infracost-api-token', category: 'Infracost', title: 'Infracost API token', severity: 'MEDIUM', ...prefixed('ico-', '[A-Za-z0-9]{32}') },
  { id: 'octopus-deploy-api-key', category: 'Octopus Deploy', title: 'Octopus Deploy API key', severity: 'HIGH', ...prefixed('API-', '[A-Z0-9]{26}') },
  {
    id: 'harness-api-key', category: 'Harness', title: 'Harness access token', severity: 'HIGH',
    keywords: ['pat.', 'sat.'], regex: '(?<![A-Za-z0-9])(?<secret>(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[0-9a-f]{24}\\.[A-Za-z0-9]{20})(?![A-Za-z0-9])',
  },
  { id: 'onepassword-service-account-token', category: '1Password', title: '1Password service account token', severity: 'CRITICAL', ...prefixed('ops_eyJ', '[A-Za-z0-9+/]{250,}={0,3}') },
  { id: 'snyk-api-token', category: 'Snyk', title: 'Snyk API token', severity: 'HIGH', ...assigned('snyk', '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}') },
];
