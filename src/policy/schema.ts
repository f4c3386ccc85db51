import { z } from 'zod/v4';

/** Severities a policy can name, highest first; findings rated NEGLIGIBLE count as LOW. */
export const POLICY_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type PolicySeverity = (typeof POLICY_SEVERITIES)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'expected an ISO 8601 date such as 2027-01-31')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a real date');

export const allowEntrySchema = z
  .object({
    /** Advisory id or any alias (CVE-…, GHSA-…). */
    id: z.string().min(1),
    /** Only for these package names (all when absent). */
    packages: z.array(z.string().min(1)).optional(),
    /** After this date the entry no longer applies (and the decision says so). */
    expires: isoDate.optional(),
    justification: z.string().min(1, 'say why the advisory is accepted'),
  })
  .strict();

const gateSchema = z
  .object({
    vulnerabilities: z
      .object({
        /** Deny findings rated at or above this severity. */
        severity: z.enum(POLICY_SEVERITIES),
        /** Only findings that have a fix count (unfixed ones are reported as warnings). */
        onlyFixed: z.boolean().default(false),
        allow: z.array(allowEntrySchema).default([]),
      })
      .strict()
      .optional(),
    secrets: z
      .object({
        /** Rule ids that count; all rules when absent. */
        rules: z.array(z.string().min(1)).optional(),
        /** Rule ids that never count. */
        ignore: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    misconfigurations: z
      .object({
        /** Check ids (or `*`, or a prefix ending in `*`) that deny. */
        deny: z.array(z.string().min(1)).default([]),
        /** Check ids that are recorded as warnings only. */
        warn: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
    baseImages: z
      .object({
        /** Allowed base images; `*` matches any run of characters (`docker.io/library/debian:*`). */
        allow: z.array(z.string().min(1)).min(1, 'list at least one allowed base image'),
      })
      .strict()
      .optional(),
    /** Images built longer ago than this are refused. */
    maxAgeDays: z.number().int().positive().optional(),
    /** Images whose OS release is past its end of life. */
    endOfLife: z.enum(['deny', 'warn']).optional(),
    /** Pull gate: the image must have been analysed. */
    requireScan: z.boolean().optional(),
    /** Images must carry a signature that verifies with one of the project's trusted keys. */
    requireSignature: z
      .object({
        /** Names of trusted keys that count; all of the project's trusted keys when absent. */
        keys: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const policySchema = z
  .object({
    version: z.literal(1),
    /** enforce: violations refuse; warn: they are recorded and the request goes through. */
    mode: z.enum(['enforce', 'warn']).default('enforce'),
    push: gateSchema.default({}),
    pull: gateSchema.default({}),
    /** After an allowed image push, the registry attaches its own signed attestation of the decision and scan totals (default false). */
    attestDecision: z.boolean().optional(),
  })
  .strict();

export type Policy = z.output<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type GateRules = z.output<typeof gateSchema>;
export type Gate = 'push' | 'pull';
