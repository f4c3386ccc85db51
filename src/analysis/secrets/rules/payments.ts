import type { SecretRule } from '../types.js';
import { assigned, prefixed } from './helpers.js';

/** Payments, commerce and shipping. */
export const PAYMENT_RULES: SecretRule[] = [
  {
    id: 'stripe-secret-token', category: 'Stripe', title: 'Stripe Secret Key', severity: 'CRITICAL',
    keywords: ['sk_test_', 'sk_live_'], regex: '(?<![A-Za-z0-9])(?<secret>sk_(?:test|live)_[0-9a-zA-Z]{10,99})(?![A-Za-z0-9])',
  },
  {
    id: 'stripe-publishable-token', category: 'Stripe', title: 'Stripe Publishable Key', severity: 'LOW',
    keywords: ['pk_test_', 'pk_live_'], regex: '(?<![A-Za-z0-9])(?<secret>pk_(?:test|live)_[0-9a-zA-Z]{10,99})(?![A-Za-z0-9])',
  },
  {
    id: 'stripe-restricted-key', category: 'Stripe', title: 'Stripe Restricted Key', severity: 'HIGH',
    keywords: ['rk_test_', 'rk_live_'], regex: '(?<![A-Za-z0-9])(?<secret>rk_(?:test|live)_[0-9a-zA-Z]{10,99})(?![A-Za-z0-9])',
  },
  {
    id: 'shopify-token', category: 'Shopify', title: 'Shopify token', severity: 'HIGH',
    keywords: ['shpss_', 'shpat_', 'shpca_', 'shppa_'], regex: '(?<secret>shp(?:ss|at|ca|pa)_[a-fA-F0-9]{32})',
  },
  {
    id: 'square-access-token', category: 'Square', title: 'Square access token', severity: 'HIGH',
    keywords: ['sq0atp-', 'eaaa'], regex: '(?<![A-Za-z0-9])(?<secret>sq0atp-[0-9A-Za-z_-]{22}|EAAA[A-Za-z0-9_-]{60})(?![A-Za-z0-9_-])',
  },
  { id: 'square-secret', category: 'Square', title: 'Square OAuth secret', severity: 'HIGH', ...prefixed('sq0csp-', '[0-9A-Za-z_-]{43}') },
  {
    id: 'braintree-access-token', category: 'PayPal', title: 'PayPal Braintree access token', severity: 'HIGH',
    keywords: ['access_token$'], regex: '(?<secret>access_token\\$(?:production|sandbox)\\$[0-9a-z]{16}\\$[0-9a-f]{32})',
  },
  {
    id: 'plaid-access-token', category: 'Plaid', title: 'Plaid access token', severity: 'HIGH',
    keywords: ['access-sandbox-', 'access-development-', 'access-production-'],
    regex: '(?<secret>access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})',
  },
  { id: 'plaid-secret-key', category: 'Plaid', title: 'Plaid secret key', severity: 'HIGH', ...assigned('plaid', '[a-f0-9]{30}') },
  { id: 'coinbase-access-token', category: 'Coinbase', title: 'Coinbase access token', severity: 'HIGH', ...assigned('coinbase', '[a-z0-9_-]{64}') },
  {
    id: 'flutterwave-public-key', category: 'Flutterwave', title: 'Flutterwave public/secret key', severity: 'MEDIUM',
    keywords: ['flwseck_test-', 'flwpubk_test-'], regex: '(?<secret>FLW(?:PUB|SEC)K_TEST-[a-hA-H0-9]{32}-X)',
  },
  { id: 'flutterwave-enc-key', category: 'Flutterwave', title: 'Flutterwave encrypted key', severity: 'MEDIUM', ...prefixed('FLWSECK_TEST', '[a-h0-9]{12}') },
  {
    id: 'gocardless-api-token', category: 'GoCardless', title: 'GoCardless API token', severity: 'MEDIUM',
    keywords: ['live_'], regex: `['"](?<secret>live_[a-zA-Z0-9_=-]{40})['"]`,
  },
  { id: 'finicity-client-secret', category: 'Finicity', title: 'Finicity client secret', severity: 'MEDIUM', ...assigned('finicity', '[a-z0-9]{20}') },
  { id: 'finicity-api-token', category: 'Finicity', title: 'Finicity API token', severity: 'MEDIUM', ...assigned('finicity', '[a-f0-9]{32}') },
  {
    id: 'duffel-api-token', category: 'Duffel', title: 'Duffel API token', severity: 'LOW',
    keywords: ['duffel_test_', 'duffel_live_'], regex: '(?<secret>duffel_(?:test|live)_[a-zA-Z0-9_-]{43})',
  },
  {
    id: 'easypost-api-token', category: 'Easypost', title: 'EasyPost API token', severity: 'LOW',
    keywords: ['ezak', 'ezat'], regex: '(?<![A-Za-z0-9])(?<secret>EZ[AT]K[a-zA-Z0-9]{54})(?![A-Za-z0-9])',
  },
  {
    id: 'shippo-api-token', category: 'Shippo', title: 'Shippo API token', severity: 'LOW',
    keywords: ['shippo_live_', 'shippo_test_'], regex: '(?<secret>shippo_(?:live|test)_[a-f0-9]{40})',
  },
  { id: 'lob-api-key', category: 'Lob', title: 'Lob API Key', severity: 'LOW', ...assigned('lob', '(?:live|test)_[a-f0-9]{35}') },
  { id: 'lob-pub-api-key', category: 'Lob', title: 'Lob Publishable API Key', severity: 'LOW', ...assigned('lob', '(?:test|live)_pub_[a-f0-9]{31}') },
];
