import type { SecretRule } from '../types.js';
import { assigned, prefixed } from './helpers.js';

/** Chat, e-mail, SMS and notification services. */
export const MESSAGING_RULES: SecretRule[] = [
  { id: 'slack-config-access-token', category: 'Slack', title: 'Slack configuration token', severity: 'HIGH', ...prefixed('xoxe.xox', '[bp]-\\d-[A-Z0-9]{163,166}', 'i') },
  {
    id: 'slack-access-token', category: 'Slack', title: 'Slack token', severity: 'HIGH',
    keywords: ['xoxb-', 'xoxa-', 'xoxp-', 'xoxr-', 'xoxs-'],
    regex: '(?<![A-Za-z0-9])(?<secret>xox[baprs]-[0-9a-zA-Z-]{10,250})(?![A-Za-z0-9-])',
  },
  { id: 'slack-app-token', category: 'Slack', title: 'Slack app-level token', severity: 'HIGH', ...prefixed('xapp-', '\\d-[A-Z0-9]+-\\d+-[a-z0-9]+', 'i') },
  {
    id: 'slack-web-hook', category: 'Slack', title: 'Slack Webhook', severity: 'MEDIUM',
    keywords: ['hooks.slack.com'], regex: 'https://hooks\\.slack\\.com/(?:services|workflows|triggers)/(?<secret>[A-Za-z0-9+/]{43,56})',
  },
  { id: 'twilio-api-key', category: 'Twilio', title: 'Twilio API Key', severity: 'MEDIUM', ...prefixed('SK', '[0-9a-fA-F]{32}'), entropy: 3 },
  { id: 'twilio-account-sid-auth', category: 'Twilio', title: 'Twilio auth token', severity: 'HIGH', ...assigned('twilio', '[a-f0-9]{32}') },
  { id: 'sendgrid-api-token', category: 'SendGrid', title: 'SendGrid API token', severity: 'MEDIUM', ...prefixed('SG.', '[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}') },
  { id: 'sendinblue-api-token', category: 'Sendinblue', title: 'Sendinblue API token', severity: 'LOW', ...prefixed('xkeysib-', '[a-f0-9]{64}-[A-Za-z0-9]{16}') },
  { id: 'mailgun-token', category: 'Mailgun', title: 'Mailgun private API token', severity: 'MEDIUM', ...assigned('mailgun', '(?:pub)?key-[a-f0-9]{32}') },
  { id: 'mailgun-signing-key', category: 'Mailgun', title: 'Mailgun webhook signing key', severity: 'MEDIUM', ...assigned('mailgun', '[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}') },
  { id: 'mailchimp-api-key', category: 'Mailchimp', title: 'Mailchimp API key', severity: 'MEDIUM', ...assigned('mailchimp', '[a-f0-9]{32}-us\\d{1,2}') },
  { id: 'mailersend-api-token', category: 'MailerSend', title: 'MailerSend API token', severity: 'MEDIUM', ...prefixed('mlsn.', '[a-z0-9]{64}') },
  { id: 'postmark-server-token', category: 'Postmark', title: 'Postmark server token', severity: 'MEDIUM', ...assigned('postmark', '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}') },
  { id: 'messagebird-api-token', category: 'MessageBird', title: 'MessageBird API token', severity: 'MEDIUM', ...assigned('messagebird', '[a-z0-9]{25}') },
  { id: 'messagebird-client-id', category: 'MessageBird', title: 'MessageBird API client ID', severity: 'MEDIUM', ...assigned('messagebird', '[a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}') },
  {
    id: 'telegram-bot-api-token', category: 'Telegram', title: 'Telegram Bot API token', severity: 'MEDIUM',
    keywords: ['telegram', 'tgbot', 'bot_token', 'bottoken'],
    regex: '(?<![0-9])(?<secret>[0-9]{8,10}:AA[0-9A-Za-z_-]{33})(?![A-Za-z0-9_-])',
  },
  { id: 'discord-api-token', category: 'Discord', title: 'Discord API key', severity: 'MEDIUM', ...assigned('discord', '[a-h0-9]{64}') },
  { id: 'discord-client-id', category: 'Discord', title: 'Discord client ID', severity: 'MEDIUM', ...assigned('discord', '[0-9]{18}') },
  { id: 'discord-client-secret', category: 'Discord', title: 'Discord client secret', severity: 'MEDIUM', ...assigned('discord', '[a-z0-9=_-]{32}') },
  {
    id: 'discord-webhook', category: 'Discord', title: 'Discord webhook', severity: 'MEDIUM',
    keywords: ['/api/webhooks/'], regex: 'https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/\\d{17,20}/(?<secret>[A-Za-z0-9_-]{60,68})',
  },
  {
    id: 'microsoft-teams-webhook', category: 'Microsoft', title: 'Microsoft Teams incoming webhook', severity: 'MEDIUM',
    keywords: ['webhook.office.com'],
    regex: 'https://[a-z0-9]+\\.webhook\\.office\\.com/webhookb2/[a-z0-9-]{36}@[a-z0-9-]{36}/IncomingWebhook/(?<secret>[a-z0-9]{32})/[a-z0-9-]{36}', flags: 'i',
  },
  { id: 'intercom-api-token', category: 'Intercom', title: 'Intercom API token', severity: 'LOW', ...assigned('intercom', '[a-z0-9=_]{60}') },
  { id: 'intercom-client-secret', category: 'Intercom', title: 'Intercom client secret/ID', severity: 'LOW', ...assigned('intercom', '[a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}') },
  { id: 'twitch-api-token', category: 'Twitch', title: 'Twitch API token', severity: 'LOW', ...assigned('twitch', '[a-z0-9]{30}') },
  { id: 'facebook-token', category: 'Facebook', title: 'Facebook token', severity: 'LOW', ...assigned('facebook', '[a-f0-9]{32}') },
  { id: 'facebook-access-token', category: 'Facebook', title: 'Facebook page access token', severity: 'HIGH', ...prefixed('EAAC', '[A-Za-z0-9]{100,}') },
  { id: 'twitter-token', category: 'Twitter', title: 'Twitter token', severity: 'LOW', ...assigned('twitter', '[a-f0-9]{35,44}') },
  { id: 'twitter-bearer-token', category: 'Twitter', title: 'Twitter bearer token', severity: 'MEDIUM', ...assigned('twitter', 'A{22}[A-Za-z0-9%]{80,100}') },
  { id: 'linkedin-client-secret', category: 'LinkedIn', title: 'LinkedIn Client secret', severity: 'LOW', ...assigned('linkedin', '[a-z]{16}') },
  { id: 'linkedin-client-id', category: 'LinkedIn', title: 'LinkedIn Client ID', severity: 'LOW', ...assigned('linkedin', '[a-z0-9]{14}') },
];
