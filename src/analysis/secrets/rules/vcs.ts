import type { SecretRule } from '../types.js';
import { assigned, prefixed } from './helpers.js';

/** Source hosting: GitHub, GitLab, Bitbucket, Atlassian, Sourcegraph. */
export const VCS_RULES: SecretRule[] = [
  { id: 'github-pat', category: 'GitHub', title: 'GitHub Personal Access Token', severity: 'CRITICAL', ...prefixed('ghp_', '[0-9a-zA-Z]{36}') },
  { id: 'github-oauth', category: 'GitHub', title: 'GitHub OAuth Access Token', severity: 'CRITICAL', ...prefixed('gho_', '[0-9a-zA-Z]{36}') },
  {
    id: 'github-app-token', category: 'GitHub', title: 'GitHub App Token', severity: 'CRITICAL',
    keywords: ['ghu_', 'ghs_'], regex: '(?<![A-Za-z0-9])(?<secret>(?:ghu|ghs)_[0-9a-zA-Z]{36})(?![A-Za-z0-9])',
  },
  { id: 'github-refresh-token', category: 'GitHub', title: 'GitHub Refresh Token', severity: 'CRITICAL', ...prefixed('ghr_', '[0-9a-zA-Z]{76}') },
  {
    id: 'github-fine-grained-pat', category: 'GitHub', title: 'GitHub Fine-grained personal access tokens', severity: 'CRITICAL',
    ...prefixed('github_pat_', '[a-zA-Z0-9]{22}_[a-zA-Z0-9]{59}'),
  },
  { id: 'gitlab-pat', category: 'GitLab', title: 'GitLab Personal Access Token', severity: 'CRITICAL', ...prefixed('glpat-', '[0-9a-zA-Z_-]{20}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{9})?') },
  { id: 'gitlab-ptt', category: 'GitLab', title: 'GitLab Pipeline Trigger Token', severity: 'HIGH', ...prefixed('glptt-', '[0-9a-f]{40}') },
  { id: 'gitlab-rrt', category: 'GitLab', title: 'GitLab Runner Registration Token', severity: 'HIGH', ...prefixed('GR1348941', '[0-9a-zA-Z_-]{20}') },
  { id: 'gitlab-runner-auth-token', category: 'GitLab', title: 'GitLab Runner Authentication Token', severity: 'HIGH', ...prefixed('glrt-', '[0-9a-zA-Z_-]{20}') },
  { id: 'gitlab-deploy-token', category: 'GitLab', title: 'GitLab Deploy Token', severity: 'HIGH', ...prefixed('gldt-', '[0-9a-zA-Z_-]{20}') },
  { id: 'gitlab-feed-token', category: 'GitLab', title: 'GitLab Feed Token', severity: 'MEDIUM', ...prefixed('glft-', '[0-9a-zA-Z_-]{20}') },
  { id: 'gitlab-oauth-app-secret', category: 'GitLab', title: 'GitLab OAuth application secret', severity: 'HIGH', ...prefixed('gloas-', '[0-9a-zA-Z_-]{64}') },
  { id: 'gitlab-scim-token', category: 'GitLab', title: 'GitLab SCIM token', severity: 'HIGH', ...prefixed('glsoat-', '[0-9a-zA-Z_-]{20}') },
  { id: 'gitlab-incoming-mail-token', category: 'GitLab', title: 'GitLab incoming mail token', severity: 'MEDIUM', ...prefixed('glimt-', '[0-9a-zA-Z_-]{25}') },
  { id: 'gitlab-kubernetes-agent-token', category: 'GitLab', title: 'GitLab Kubernetes agent token', severity: 'HIGH', ...prefixed('glagent-', '[0-9a-zA-Z_-]{50}') },
  { id: 'gitlab-cicd-job-token', category: 'GitLab', title: 'GitLab CI/CD job token', severity: 'HIGH', ...prefixed('glcbt-', '[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_-]{20}') },
  { id: 'bitbucket-client-id', category: 'Bitbucket', title: 'Bitbucket client ID', severity: 'HIGH', ...assigned('bitbucket', '[a-z0-9]{32}') },
  { id: 'bitbucket-client-secret', category: 'Bitbucket', title: 'Bitbucket client secret', severity: 'HIGH', ...assigned('bitbucket', '[a-z0-9_-]{64}') },
  { id: 'atlassian-api-token', category: 'Atlassian', title: 'Atlassian API token', severity: 'HIGH', ...assigned('atlassian', '[a-z0-9]{24}') },
  { id: 'atlassian-api-token-v2', category: 'Atlassian', title: 'Atlassian API token (ATATT)', severity: 'HIGH', ...prefixed('ATATT3', '[A-Za-z0-9_=-]{186}') },
  {
    id: 'sourcegraph-access-token', category: 'Sourcegraph', title: 'Sourcegraph access token', severity: 'HIGH',
    ...prefixed('sgp_', '(?:[a-f0-9]{16}_)?[a-f0-9]{40}'),
  },
  { id: 'gitea-access-token', category: 'Gitea', title: 'Gitea access token', severity: 'HIGH', ...assigned('gitea', '[a-f0-9]{40}') },
];
