import type { SecretRule } from '../types.js';
import { END, START, assigned, prefixed } from './helpers.js';

/** AWS's own documentation credentials: documentation, not leaks, when found in files. */
const AWS_EXAMPLES = ['EXAMPLE'];

export const CLOUD_RULES: SecretRule[] = [
  {
    id: 'aws-access-key-id', category: 'AWS', title: 'AWS Access Key ID', severity: 'CRITICAL',
    keywords: ['akia', 'agpa', 'aida', 'aroa', 'aipa', 'anpa', 'anva', 'asia', 'a3t'],
    regex: `${START}(?<secret>(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16})${END}`,
    allowValues: AWS_EXAMPLES,
  },
  {
    id: 'aws-secret-access-key', category: 'AWS', title: 'AWS Secret Access Key', severity: 'CRITICAL',
    keywords: ['key'],
    regex: `aws_?(?:sec(?:ret)?)?_?(?:access)?_?key["']?\\s*(?::|=>|=)?\\s*["']?(?<secret>[A-Za-z0-9/+=]{40})${END}`,
    flags: 'i', allowValues: AWS_EXAMPLES, entropy: 3.5,
  },
  {
    id: 'aws-session-token', category: 'AWS', title: 'AWS Session Token', severity: 'CRITICAL',
    keywords: ['session_token', 'sessiontoken', 'security_token'],
    regex: `aws_?(?:session|security)_?token["']?\\s*(?::|=>|=)\\s*["']?(?<secret>[A-Za-z0-9/+=]{100,})`,
    flags: 'i', entropy: 4,
  },
  {
    id: 'gcp-service-account', category: 'Google', title: 'Google (GCP) Service-account', severity: 'CRITICAL',
    keywords: ['service_account'],
    regex: `"type"\\s*:\\s*"service_account"[\\s\\S]{0,2000}?"private_key"\\s*:\\s*"(?<secret>-----BEGIN[^"]{60,})"`,
  },
  {
    id: 'gcp-api-key', category: 'Google', title: 'Google API Key', severity: 'HIGH',
    ...prefixed('AIza', '[0-9A-Za-z_-]{35}'), entropy: 3.5,
  },
  {
    id: 'gcp-oauth-client-secret', category: 'Google', title: 'Google OAuth client secret', severity: 'HIGH',
    ...prefixed('GOCSPX-', '[A-Za-z0-9_-]{28}'),
  },
  {
    id: 'google-oauth-access-token', category: 'Google', title: 'Google OAuth access token', severity: 'HIGH',
    ...prefixed('ya29.', '[0-9A-Za-z_-]{30,}'),
  },
  {
    id: 'azure-cosmosdb-key', category: 'Azure', title: 'Azure Cosmos DB account key', severity: 'HIGH',
    keywords: ['documents.azure.com'],
    regex: `AccountEndpoint=https://[a-z0-9-]+\\.documents\\.azure\\.com[^;]*;AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)`, flags: 'i',
  },
  {
    id: 'azure-storage-account-key', category: 'Azure', title: 'Azure storage account key', severity: 'CRITICAL',
    keywords: ['accountkey'],
    regex: `AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)`, flags: 'i',
  },
  {
    id: 'azure-shared-access-key', category: 'Azure', title: 'Azure Service Bus / Event Hubs shared access key', severity: 'HIGH',
    keywords: ['sharedaccesskey='],
    regex: `SharedAccessKey=(?<secret>[A-Za-z0-9+/]{43}=)`, flags: 'i',
  },
  {
    id: 'azure-sas-token', category: 'Azure', title: 'Azure shared access signature', severity: 'HIGH',
    keywords: ['sig='],
    regex: `[?&]sv=\\d{4}-\\d{2}-\\d{2}&[^\\s"']*?sig=(?<secret>[A-Za-z0-9%+/]{43,}(?:%3D|=)?)`,
  },
  {
    id: 'azure-ad-client-secret', category: 'Azure', title: 'Azure AD (Entra ID) client secret', severity: 'HIGH',
    keywords: ['q~'],
    regex: `${START}(?<secret>[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])`,
  },
  {
    id: 'alibaba-access-key-id', category: 'Alibaba', title: 'Alibaba AccessKey ID', severity: 'HIGH',
    ...prefixed('LTAI', '[A-Za-z0-9]{20}'), entropy: 3,
  },
  {
    id: 'alibaba-secret-key', category: 'Alibaba', title: 'Alibaba Secret Key', severity: 'HIGH',
    ...assigned('alibaba', '[a-z0-9]{30}'),
  },
  {
    id: 'digitalocean-pat', category: 'DigitalOcean', title: 'DigitalOcean personal access token', severity: 'CRITICAL',
    ...prefixed('dop_v1_', '[a-f0-9]{64}'),
  },
  {
    id: 'digitalocean-access-token', category: 'DigitalOcean', title: 'DigitalOcean OAuth access token', severity: 'CRITICAL',
    ...prefixed('doo_v1_', '[a-f0-9]{64}'),
  },
  {
    id: 'digitalocean-refresh-token', category: 'DigitalOcean', title: 'DigitalOcean OAuth refresh token', severity: 'CRITICAL',
    ...prefixed('dor_v1_', '[a-f0-9]{64}'),
  },
  {
    id: 'heroku-api-key', category: 'Heroku', title: 'Heroku API Key', severity: 'HIGH',
    ...assigned('heroku', '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}'),
  },
  {
    id: 'heroku-api-key-v2', category: 'Heroku', title: 'Heroku API Key (HRKU)', severity: 'HIGH',
    ...prefixed('HRKU-', '[A-Za-z0-9_-]{60}'),
  },
  {
    id: 'cloudflare-api-key', category: 'Cloudflare', title: 'Cloudflare API key', severity: 'HIGH',
    ...assigned('cloudflare', '[a-z0-9_-]{40}'),
  },
  {
    id: 'cloudflare-global-api-key', category: 'Cloudflare', title: 'Cloudflare global API key', severity: 'HIGH',
    ...assigned('cloudflare', '[a-f0-9]{37}'),
  },
  {
    id: 'cloudflare-origin-ca-key', category: 'Cloudflare', title: 'Cloudflare origin CA key', severity: 'HIGH',
    ...prefixed('v1.0-', '[a-f0-9]{24}-[a-f0-9]{146}'),
  },
  {
    id: 'flyio-access-token', category: 'Fly.io', title: 'Fly.io access token', severity: 'HIGH',
    keywords: ['fo1_', 'fm1', 'fm2_'],
    regex: `${START}(?<secret>fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})`,
  },
  {
    id: 'openshift-user-token', category: 'OpenShift', title: 'OpenShift user token', severity: 'HIGH',
    ...prefixed('sha256~', '[A-Za-z0-9_-]{43}'),
  },
  {
    id: 'scaleway-api-token', category: 'Scaleway', title: 'Scaleway secret key', severity: 'HIGH',
    ...assigned('scw', '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'),
  },
  {
    id: 'linode-api-token', category: 'Linode', title: 'Linode API token', severity: 'HIGH',
    ...assigned('linode', '[a-f0-9]{64}'),
  },
  {
    id: 'vercel-api-token', category: 'Vercel', title: 'Vercel access token', severity: 'HIGH',
    ...assigned('vercel', '[A-Za-z0-9]{24}'),
  },
  {
    id: 'netlify-access-token', category: 'Netlify', title: 'Netlify access token', severity: 'HIGH',
    ...assigned('netlify', '[a-z0-9=_-]{40,46}'),
  },
];
