/**
 * One true and one false sample per built-in secret rule. Values are generated from a fixed seed
 * so they look random (entropy checks) without being anyone's real credential.
 */

let seed = 0x2545f491;
function next(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed >>> 8;
}
const HEX = '0123456789abcdef';
const LOW = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = ALNUM + '+/';
const URLSAFE = ALNUM + '_-';

export function gen(chars: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += chars[next() % chars.length];
  return out;
}
const hex = (n: number) => gen(HEX, n);
const low = (n: number) => gen(LOW, n);
const up = (n: number) => gen(UP, n);
const an = (n: number) => gen(ALNUM, n);
const b64 = (n: number) => gen(B64, n);
const us = (n: number) => gen(URLSAFE, n);
const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
const digits = (n: number) => gen('0123456789', n);

/** A PEM block with a random body (not a valid key; the rule checks the shape only). */
export function pem(label: string, headers = ''): string {
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) lines.push(b64(64));
  return `-----BEGIN ${label}-----\n${headers}${lines.join('\n')}\n${b64(20)}==\n-----END ${label}-----\n`;
}

/** `<name>_key = "<value>"`: the shape of the keyword-assignment rules. */
function asg(name: string, value: string): string {
  return `${name}_key = "${value}"`;
}

export interface RuleSample {
  hit: string;
  miss: string;
  /** File path to scan the sample as (default /app/config.txt). */
  path?: string;
}

export const SAMPLES: Record<string, RuleSample> = {
  'private-key': { hit: pem('RSA PRIVATE KEY'), miss: 'const h = "-----BEGIN RSA PRIVATE KEY-----";' },
  'putty-private-key': {
    hit: `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\n${b64(64)}\n${b64(20)}\nPrivate-Lines: 1\n${b64(44)}\n`,
    miss: 'PuTTY-User-Key-File-3: ssh-ed25519\nPublic-Lines: 2\n',
  },
  'age-secret-key': { hit: `AGE-SECRET-KEY-1${gen('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`, miss: 'AGE-SECRET-KEY-1abc' },
  'jwt-token': { hit: `token: eyJ${us(30)}.eyJ${us(40)}.${us(43)}`, miss: 'eyJhbGciOi.notajwt' },
  'aws-access-key-id': { hit: `key_id = AKIA${gen('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`, miss: 'AKIAIOSFODNN7EXAMPLE' },
  'aws-secret-access-key': { hit: `aws_secret_access_key = ${b64(40)}`, miss: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  'aws-session-token': { hit: `aws_session_token = ${b64(300)}`, miss: 'aws_session_token = ${AWS_SESSION_TOKEN}' },
  'gcp-service-account': {
    hit: `{\n  "type": "service_account",\n  "project_id": "p",\n  "private_key_id": "${hex(40)}",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n${b64(200)}\\n-----END PRIVATE KEY-----\\n"\n}`,
    miss: '{ "type": "service_account", "project_id": "p" }',
  },
  'gcp-api-key': { hit: `key=AIza${us(35)}`, miss: `key=AIza${us(20)}` },
  'gcp-oauth-client-secret': { hit: `GOCSPX-${us(28)}`, miss: `GOCSPX-${us(10)}` },
  'google-oauth-access-token': { hit: `ya29.${us(60)}`, miss: 'ya29.short' },
  'azure-storage-account-key': { hit: `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${b64(86)}==;EndpointSuffix=core.windows.net`, miss: 'AccountKey=<key>;' },
  'azure-shared-access-key': { hit: `Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=R;SharedAccessKey=${b64(43)}=`, miss: 'SharedAccessKey=abc=' },
  'azure-sas-token': { hit: `https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig=${an(44)}%3D`, miss: 'https://a.blob.core.windows.net/c?sig=abc' },
  'azure-ad-client-secret': { hit: `client_secret: ${an(3)}8Q~${an(34)}`, miss: 'Q~ nothing here' },
  'azure-cosmosdb-key': { hit: `AccountEndpoint=https://db1.documents.azure.com:443/;AccountKey=${b64(86)}==;`, miss: 'AccountEndpoint=https://db1.documents.azure.com:443/;' },
  'alibaba-access-key-id': { hit: `LTAI${an(20)}`, miss: `LTAI${an(5)}` },
  'alibaba-secret-key': { hit: asg('alibaba', low(30)), miss: asg('alibaba', low(10)) },
  'digitalocean-pat': { hit: `dop_v1_${hex(64)}`, miss: `dop_v1_${hex(20)}` },
  'digitalocean-access-token': { hit: `doo_v1_${hex(64)}`, miss: `doo_v1_${hex(20)}` },
  'digitalocean-refresh-token': { hit: `dor_v1_${hex(64)}`, miss: `dor_v1_${hex(20)}` },
  'heroku-api-key': { hit: asg('heroku', uuid()), miss: asg('heroku', 'abc') },
  'heroku-api-key-v2': { hit: `HRKU-${us(60)}`, miss: 'HRKU-abc' },
  'cloudflare-api-key': { hit: asg('cloudflare', low(40)), miss: asg('cloudflare', low(12)) },
  'cloudflare-global-api-key': { hit: asg('cloudflare', hex(37)), miss: asg('cloudflare', hex(12)) },
  'cloudflare-origin-ca-key': { hit: `v1.0-${hex(24)}-${hex(146)}`, miss: `v1.0-${hex(24)}` },
  'flyio-access-token': { hit: `fo1_${us(43)}`, miss: 'fo1_abc' },
  'openshift-user-token': { hit: `sha256~${us(43)}`, miss: 'sha256~abc' },
  'scaleway-api-token': { hit: asg('scw', uuid()), miss: asg('scw', 'abc') },
  'linode-api-token': { hit: asg('linode', hex(64)), miss: asg('linode', hex(10)) },
  'vercel-api-token': { hit: asg('vercel', an(24)), miss: asg('vercel', an(8)) },
  'netlify-access-token': { hit: asg('netlify', low(43)), miss: asg('netlify', low(8)) },
  'github-pat': { hit: `ghp_${an(36)}`, miss: `ghp_${an(20)}` },
  'github-oauth': { hit: `gho_${an(36)}`, miss: `gho_${an(20)}` },
  'github-app-token': { hit: `ghs_${an(36)}`, miss: `ghs_${an(20)}` },
  'github-refresh-token': { hit: `ghr_${an(76)}`, miss: `ghr_${an(20)}` },
  'github-fine-grained-pat': { hit: `github_pat_${an(22)}_${an(59)}`, miss: `github_pat_${an(22)}` },
  'gitlab-pat': { hit: `glpat-${us(20)}`, miss: 'glpat-abc' },
  'gitlab-ptt': { hit: `glptt-${hex(40)}`, miss: 'glptt-abc' },
  'gitlab-rrt': { hit: `GR1348941${us(20)}`, miss: 'GR1348941abc' },
  'gitlab-runner-auth-token': { hit: `glrt-${us(20)}`, miss: 'glrt-abc' },
  'gitlab-deploy-token': { hit: `gldt-${us(20)}`, miss: 'gldt-abc' },
  'gitlab-feed-token': { hit: `glft-${us(20)}`, miss: 'glft-abc' },
  'gitlab-oauth-app-secret': { hit: `gloas-${us(64)}`, miss: 'gloas-abc' },
  'gitlab-scim-token': { hit: `glsoat-${us(20)}`, miss: 'glsoat-abc' },
  'gitlab-incoming-mail-token': { hit: `glimt-${us(25)}`, miss: 'glimt-abc' },
  'gitlab-kubernetes-agent-token': { hit: `glagent-${us(50)}`, miss: 'glagent-abc' },
  'gitlab-cicd-job-token': { hit: `glcbt-64_${us(20)}`, miss: 'glcbt-abc' },
  'bitbucket-client-id': { hit: asg('bitbucket', low(32)), miss: asg('bitbucket', low(10)) },
  'bitbucket-client-secret': { hit: asg('bitbucket', low(64)), miss: asg('bitbucket', low(10)) },
  'atlassian-api-token': { hit: asg('atlassian', low(24)), miss: asg('atlassian', low(10)) },
  'atlassian-api-token-v2': { hit: `ATATT3${us(186)}`, miss: 'ATATT3abc' },
  'sourcegraph-access-token': { hit: `sgp_${hex(16)}_${hex(40)}`, miss: 'sgp_abc' },
  'gitea-access-token': { hit: asg('gitea', hex(40)), miss: asg('gitea', hex(10)) },
  'npm-access-token': { hit: `"npm_${an(36)}"`, miss: 'npm_install_hook' },
  'npmrc-auth-token': { hit: `//registry.example.com/:_authToken=${us(40)}`, miss: '//registry.example.com/:_authToken=${NPM_TOKEN}', path: '/root/.npmrc' },
  'pypi-upload-token': { hit: `pypi-AgEIcHlwaS5vcmc${us(70)}`, miss: 'pypi-AgEIcHlwaS5vcmc' },
  'rubygems-api-token': { hit: `rubygems_${hex(48)}`, miss: 'rubygems_abc' },
  'nuget-api-key': { hit: `oy2${low(43)}`, miss: 'oy2abc' },
  'private-packagist-token': { hit: `packagist_uut_${hex(68)}`, miss: 'packagist_uut_abc' },
  'clojars-api-token': { hit: `CLOJARS_${an(60)}`, miss: 'CLOJARS_abc' },
  'docker-config-auth': {
    hit: `{\n  "auths": {\n    "registry.example.com": {\n      "auth": "${b64(40)}="\n    }\n  }\n}`,
    miss: '{ "auths": { "registry.example.com": {} }, "credsStore": "desktop" }',
    path: '/root/.docker/config.json',
  },
  'dockerconfig-secret': { hit: `  .dockerconfigjson: ew${b64(60)}`, miss: '  .dockerconfigjson: ""' },
  'dockerhub-pat': { hit: `dckr_pat_${us(27)}`, miss: 'dckr_pat_abc' },
  'artifactory-api-key': { hit: `AKCp${an(69)}`, miss: 'AKCpabc' },
  'artifactory-reference-token': { hit: `cmVmdGtu${an(56)}`, miss: 'cmVmdGtuabc' },
  'hashicorp-tf-api-token': { hit: `"${an(14)}.atlasv1.${us(65)}"`, miss: 'atlasv1.abc' },
  'vault-service-token': { hit: `hvs.${us(95)}`, miss: 'hvs.abc' },
  'vault-batch-token': { hit: `hvb.${us(140)}`, miss: 'hvb.abc' },
  'pulumi-api-token': { hit: `pul-${hex(40)}`, miss: 'pul-abc' },
  'doppler-api-token': { hit: `dp.pt.${an(43)}`, miss: 'dp.pt.abc' },
  'postman-api-token': { hit: `PMAK-${hex(24)}-${hex(34)}`, miss: 'PMAK-abc' },
  'prefect-api-token': { hit: `pnu_${an(36)}`, miss: 'pnu_abc' },
  'readme-api-token': { hit: `rdme_${low(70)}`, miss: 'rdme_abc' },
  'scalingo-api-token': { hit: `tk-us-${us(48)}`, miss: 'tk-us-abc' },
  'infracost-api-token': { hit: `ico-${an(32)}`, miss: 'ico-abc' },
  'octopus-deploy-api-key': { hit: `API-${up(26)}`, miss: 'API-ABC' },
  'harness-api-key': { hit: `pat.${us(22)}.${hex(24)}.${an(20)}`, miss: 'pat.abc.def' },
  'onepassword-service-account-token': { hit: `ops_eyJ${b64(260)}`, miss: 'ops_eyJabc' },
  'snyk-api-token': { hit: asg('snyk', uuid()), miss: asg('snyk', 'abc') },
  'slack-access-token': { hit: `xoxb-${digits(12)}-${digits(12)}-${an(24)}`, miss: 'xoxb-123' },
  'slack-app-token': { hit: `xapp-1-A${up(10)}-${digits(13)}-${hex(64)}`, miss: 'xapp-1' },
  'slack-config-access-token': { hit: `xoxe.xoxp-1-${up(164)}`, miss: 'xoxe.xoxp-1-ABC' },
  'slack-web-hook': { hit: `https://hooks.slack.com/services/T${up(8)}/B${up(8)}/${an(24)}`, miss: 'https://hooks.slack.com/services/' },
  'twilio-api-key': { hit: `SK${hex(32)}`, miss: `ASK${hex(32)}` },
  'twilio-account-sid-auth': { hit: asg('twilio', hex(32)), miss: asg('twilio', hex(8)) },
  'sendgrid-api-token': { hit: `SG.${us(22)}.${us(43)}`, miss: 'SG.abc' },
  'sendinblue-api-token': { hit: `xkeysib-${hex(64)}-${an(16)}`, miss: 'xkeysib-abc' },
  'mailgun-token': { hit: asg('mailgun', `key-${hex(32)}`), miss: asg('mailgun', 'key-abc') },
  'mailgun-signing-key': { hit: asg('mailgun', `${hex(32)}-${hex(8)}-${hex(8)}`), miss: asg('mailgun', 'abc-def') },
  'mailchimp-api-key': { hit: asg('mailchimp', `${hex(32)}-us20`), miss: asg('mailchimp', hex(32)) },
  'mailersend-api-token': { hit: `mlsn.${low(64)}`, miss: 'mlsn.abc' },
  'postmark-server-token': { hit: asg('postmark', uuid()), miss: asg('postmark', 'abc') },
  'messagebird-api-token': { hit: asg('messagebird', low(25)), miss: asg('messagebird', low(5)) },
  'messagebird-client-id': { hit: asg('messagebird', uuid()), miss: asg('messagebird', 'abc') },
  'telegram-bot-api-token': { hit: `TELEGRAM_BOT=${digits(10)}:AA${us(33)}`, miss: `TELEGRAM_BOT=${digits(10)}:BB${us(33)}` },
  'discord-api-token': { hit: asg('discord', gen('abcdefgh0123456789', 64)), miss: asg('discord', 'abc') },
  'discord-client-id': { hit: asg('discord', digits(18)), miss: asg('discord', digits(5)) },
  'discord-client-secret': { hit: asg('discord', low(32)), miss: asg('discord', low(6)) },
  'discord-webhook': { hit: `https://discord.com/api/webhooks/${digits(18)}/${us(68)}`, miss: 'https://discord.com/api/webhooks/' },
  'microsoft-teams-webhook': {
    hit: `https://acme.webhook.office.com/webhookb2/${uuid()}@${uuid()}/IncomingWebhook/${hex(32)}/${uuid()}`,
    miss: 'https://acme.webhook.office.com/webhookb2/',
  },
  'intercom-api-token': { hit: asg('intercom', low(60)), miss: asg('intercom', low(8)) },
  'intercom-client-secret': { hit: asg('intercom', uuid()), miss: asg('intercom', 'abc') },
  'twitch-api-token': { hit: asg('twitch', low(30)), miss: asg('twitch', low(8)) },
  'facebook-token': { hit: asg('facebook', hex(32)), miss: asg('facebook', hex(8)) },
  'facebook-access-token': { hit: `EAAC${an(120)}`, miss: 'EAACabc' },
  'twitter-token': { hit: asg('twitter', hex(40)), miss: asg('twitter', hex(8)) },
  'twitter-bearer-token': { hit: asg('twitter', `AAAAAAAAAAAAAAAAAAAAAA${an(90)}`), miss: `AAAAAAAAAAAAAAAAAAAAAA${an(90)}` },
  'linkedin-client-secret': { hit: asg('linkedin', gen('abcdefghijklmnopqrstuvwxyz', 16)), miss: asg('linkedin', 'abc') },
  'linkedin-client-id': { hit: asg('linkedin', low(14)), miss: asg('linkedin', 'ab') },
  'stripe-secret-token': { hit: `sk_live_${an(24)}`, miss: 'sk_live_abc' },
  'stripe-publishable-token': { hit: `pk_live_${an(24)}`, miss: 'pk_live_abc' },
  'stripe-restricted-key': { hit: `rk_live_${an(24)}`, miss: 'rk_live_abc' },
  'shopify-token': { hit: `shpat_${hex(32)}`, miss: 'shpat_abc' },
  'square-access-token': { hit: `sq0atp-${us(22)}`, miss: 'sq0atp-abc' },
  'square-secret': { hit: `sq0csp-${us(43)}`, miss: 'sq0csp-abc' },
  'braintree-access-token': { hit: `access_token$production$${low(16)}$${hex(32)}`, miss: 'access_token$production$abc' },
  'plaid-access-token': { hit: `access-production-${uuid()}`, miss: 'access-production-abc' },
  'plaid-secret-key': { hit: asg('plaid', hex(30)), miss: asg('plaid', hex(5)) },
  'coinbase-access-token': { hit: asg('coinbase', low(64)), miss: asg('coinbase', low(5)) },
  'flutterwave-public-key': { hit: `FLWSECK_TEST-${hex(32)}-X`, miss: 'FLWSECK_TEST-abc-X' },
  'flutterwave-enc-key': { hit: `FLWSECK_TEST${gen('abcdefgh0123456789', 12)}`, miss: 'FLWSECK_TESTzz' },
  'gocardless-api-token': { hit: `token = "live_${us(40)}"`, miss: 'token = "live_abc"' },
  'finicity-client-secret': { hit: asg('finicity', low(20)), miss: asg('finicity', low(5)) },
  'finicity-api-token': { hit: asg('finicity', hex(32)), miss: asg('finicity', hex(5)) },
  'duffel-api-token': { hit: `duffel_live_${us(43)}`, miss: 'duffel_live_abc' },
  'easypost-api-token': { hit: `EZAK${an(54)}`, miss: 'EZAKabc' },
  'shippo-api-token': { hit: `shippo_live_${hex(40)}`, miss: 'shippo_live_abc' },
  'lob-api-key': { hit: asg('lob', `live_${hex(35)}`), miss: asg('lob', 'live_abc') },
  'lob-pub-api-key': { hit: asg('lob', `live_pub_${hex(31)}`), miss: asg('lob', 'live_pub_abc') },
  'hugging-face-access-token': { hit: `hf_${an(34)}`, miss: 'hf_abc' },
  'openai-api-key': { hit: `sk-proj-${us(40)}T3BlbkFJ${us(40)}`, miss: 'sk-proj-abc' },
  'anthropic-api-key': { hit: `sk-ant-api03-${us(93)}AA`, miss: 'sk-ant-api03-abc' },
  'anthropic-admin-api-key': { hit: `sk-ant-admin01-${us(93)}AA`, miss: 'sk-ant-admin01-abc' },
  'perplexity-api-key': { hit: `pplx-${an(48)}`, miss: 'pplx-abc' },
  'groq-api-key': { hit: `gsk_${an(52)}`, miss: 'gsk_abc' },
  'replicate-api-token': { hit: `r8_${an(37)}`, miss: 'r8_abc' },
  'langsmith-api-key': { hit: `lsv2_pt_${hex(32)}_${hex(10)}`, miss: 'lsv2_pt_abc' },
  'cohere-api-token': { hit: asg('cohere', an(40)), miss: asg('cohere', an(5)) },
  'databricks-api-token': { hit: `dapi${gen('abcdefgh0123456789', 32)}`, miss: 'dapizzz' },
  'grafana-api-token': { hit: `eyJrIjoi${us(80)}`, miss: 'eyJrIjoiabc' },
  'grafana-cloud-api-token': { hit: `glc_${an(60)}`, miss: 'glc_abc' },
  'grafana-service-account-token': { hit: `glsa_${an(32)}_${hex(8)}`, miss: 'glsa_abc' },
  'new-relic-user-api-key': { hit: `NRAK-${up(27)}`, miss: 'NRAK-ABC' },
  'new-relic-user-api-id': { hit: asg('newrelic', up(64)), miss: asg('newrelic', up(5)) },
  'new-relic-browser-api-token': { hit: `NRJS-${hex(19)}`, miss: 'NRJS-abc' },
  'new-relic-insert-key': { hit: `NRII-${us(32)}`, miss: 'NRII-abc' },
  'datadog-access-token': { hit: asg('datadog', low(40)), miss: asg('datadog', low(5)) },
  'sentry-org-token': { hit: `sntrys_eyJ${b64(100)}`, miss: 'sntrys_eyJabc' },
  'sentry-user-token': { hit: `sntryu_${hex(64)}`, miss: 'sntryu_abc' },
  'sentry-access-token': { hit: asg('sentry', hex(64)), miss: asg('sentry', hex(5)) },
  'dynatrace-api-token': { hit: `dt0c01.${an(24)}.${an(64)}`, miss: 'dt0c01.abc' },
  'linear-api-token': { hit: `lin_api_${an(40)}`, miss: 'lin_api_abc' },
  'linear-client-secret': { hit: asg('linear', hex(32)), miss: asg('linear', hex(5)) },
  'okta-access-token': { hit: asg('okta', `00${us(40)}`), miss: asg('okta', '00abc') },
  'planetscale-password': { hit: `pscale_pw_${us(43)}`, miss: 'pscale_pw_abc' },
  'planetscale-api-token': { hit: `pscale_tkn_${us(43)}`, miss: 'pscale_tkn_abc' },
  'planetscale-oauth-token': { hit: `pscale_oauth_${us(40)}`, miss: 'pscale_oauth_abc' },
  'figma-pat': { hit: `figd_${us(40)}`, miss: 'figd_abc' },
  'notion-api-token': { hit: `ntn_${digits(11)}${an(35)}`, miss: 'ntn_abc' },
  'airtable-pat': { hit: `pat${an(14)}.${hex(64)}`, miss: 'pattern.abc' },
  'asana-client-id': { hit: asg('asana', digits(16)), miss: asg('asana', digits(5)) },
  'asana-client-secret': { hit: asg('asana', low(32)), miss: asg('asana', low(5)) },
  'beamer-api-token': { hit: asg('beamer', `b_${low(44)}`), miss: asg('beamer', 'b_abc') },
  'contentful-delivery-api-token': { hit: asg('contentful', low(43)), miss: asg('contentful', low(5)) },
  'dropbox-api-secret': { hit: asg('dropbox', low(15)), miss: asg('dropbox', low(5)) },
  'dropbox-short-lived-api-token': { hit: asg('dropbox', `sl.${low(135)}`), miss: asg('dropbox', 'sl.abc') },
  'dropbox-long-lived-api-token': { hit: asg('dropbox', `${low(11)}AAAAAAAAAA${low(43)}`), miss: asg('dropbox', 'AAAAAAAAAA') },
  'fastly-api-token': { hit: asg('fastly', low(32)), miss: asg('fastly', low(5)) },
  'frameio-api-token': { hit: `fio-u-${us(64)}`, miss: 'fio-u-abc' },
  'hubspot-api-token': { hit: asg('hubspot', uuid()), miss: asg('hubspot', 'abc') },
  'ionic-api-token': { hit: asg('ionic', `ion_${low(42)}`), miss: asg('ionic', 'ion_abc') },
  'mapbox-api-token': { hit: `pk.${an(60)}.${an(22)}`, miss: 'pk.abc.def' },
  'mapbox-secret-token': { hit: `sk.${an(60)}.${an(22)}`, miss: 'sk.abc.def' },
  'typeform-api-token': { hit: `tfp_${us(59)}`, miss: 'tfp_abc' },
  'adobe-client-id': { hit: asg('adobe', hex(32)), miss: asg('adobe', hex(5)) },
  'adobe-client-secret': { hit: `p8e-${an(32)}`, miss: 'p8e-abc' },
  'algolia-api-key': { hit: asg('algolia', low(32)), miss: asg('algolia', low(5)) },
  'confluent-secret-key': { hit: asg('confluent', b64(64)), miss: asg('confluent', b64(5)) },
  'zendesk-secret-key': { hit: asg('zendesk', low(40)), miss: asg('zendesk', low(5)) },
  'pagerduty-api-key': { hit: asg('pagerduty', us(20)), miss: asg('pagerduty', us(5)) },
  'rapidapi-access-token': { hit: asg('rapidapi', low(50)), miss: asg('rapidapi', low(5)) },
  'postgres-url-password': { hit: `DATABASE_URL=postgres://app:${an(16)}@db.internal:5432/app`, miss: 'postgres://app:${DB_PASSWORD}@db:5432/app' },
  'mysql-url-password': { hit: `mysql://root:${an(16)}@db:3306/x`, miss: 'mysql://root@db:3306/x' },
  'mongodb-url-password': { hit: `mongodb+srv://u:${an(16)}@cluster0.example.net/db`, miss: 'mongodb://u:<password>@host/db' },
  'redis-url-password': { hit: `redis://default:${an(16)}@cache:6379/0`, miss: 'redis://cache:6379/0' },
  'amqp-url-password': { hit: `amqp://guest:${an(16)}@mq:5672/`, miss: 'amqp://guest:changeme@mq:5672/' },
  'mssql-url-password': { hit: `sqlserver://sa:${an(16)}@db:1433`, miss: 'sqlserver://sa:xxx@db:1433' },
  'jdbc-password': { hit: `jdbc:postgresql://db:5432/app?user=app&password=${an(16)}`, miss: 'jdbc:postgresql://db:5432/app?user=app' },
  'htpasswd-hash': { hit: `admin:$apr1$${an(8)}$${an(22)}`, miss: 'admin:x:1000:1000::/home/admin:/bin/sh', path: '/etc/nginx/.htpasswd' },
  'generic-password': { hit: `db_password = "${an(14)}"`, miss: 'db_password = "${PASSWORD}"' },
  'generic-secret': { hit: `client_secret: "${an(24)}"`, miss: 'client_secret: "<secret>"' },
  'generic-api-key': { hit: `API_KEY=${an(24)}`, miss: 'API_KEY=changeme' },
  'generic-token': { hit: `auth_token = '${an(30)}'`, miss: 'auth_token = xxxxxxxx' },
};
