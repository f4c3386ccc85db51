/** Request and response schemas of /api/v1 (zod v4 API, so the OpenAPI document is generated from them). */
import { z } from 'zod/v4';
import { PROJECT_NAME, ROBOT_SHORT_NAME, USER_NAME } from '../../identity/names.js';
import { ROBOT_ACTIONS, ROLES } from '../../identity/types.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../identity/password.js';

export const UserName = z.string().regex(USER_NAME).describe('user name');
export const ProjectName = z.string().max(128).regex(PROJECT_NAME).describe('project name (first path component of its repositories)');
export const Password = z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);
export const RoleSchema = z.enum(ROLES);
export const RobotActionSchema = z.enum(ROBOT_ACTIONS);

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

export const CreateUserBody = z.object({ name: UserName, password: Password, admin: z.boolean().default(false) }).strict();
export const ChangePasswordBody = z
  .object({ password: Password, old_password: z.string().max(MAX_PASSWORD_LENGTH).optional().describe('required when changing your own password') })
  .strict();
export const CreateProjectBody = z.object({ name: ProjectName, public: z.boolean().default(false) }).strict();
export const UpdateProjectBody = z.object({ public: z.boolean() }).strict();
export const AddMemberBody = z.object({ user: UserName, role: RoleSchema }).strict();
export const UpdateMemberBody = z.object({ role: RoleSchema }).strict();
export const CreateRobotBody = z
  .object({
    name: z.string().regex(ROBOT_SHORT_NAME),
    actions: z.array(RobotActionSchema).min(1),
    expires_in_days: z.number().int().min(1).max(3650).optional().describe('omit for a robot that never expires'),
  })
  .strict();

export const AuditQueryParams = z.object({
  actor: z.string().max(256).optional(),
  repository: z.string().max(512).optional(),
  action: z.string().max(128).optional().describe('exact action, or a prefix like `auth.*`'),
  outcome: z.enum(['success', 'failure', 'denied', 'error']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  after: z.coerce.number().int().min(0).optional().describe('only events with a larger sequence number'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

export const UserView = z.object({ name: z.string(), admin: z.boolean(), created_at: z.string() });
export const ProjectView = z.object({ name: z.string(), public: z.boolean(), created_at: z.string() });
export const MemberView = z.object({ user: z.string(), role: RoleSchema });
export const RobotView = z.object({
  name: z.string().describe('full account name, robot$<project>+<name>'),
  project: z.string(),
  actions: z.array(RobotActionSchema),
  expires_at: z.string().nullable(),
  revoked: z.boolean(),
  created_at: z.string(),
});
export const RobotCreated = RobotView.extend({ secret: z.string().describe('shown once; only its hash is stored') });
export const MeView = z.object({ kind: z.enum(['user', 'robot']), name: z.string(), admin: z.boolean() });
export const ErrorBody = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string(), field: z.string().optional() })),
});
export const AuditEventView = z.object({
  seq: z.number(),
  time: z.string(),
  actorType: z.string(),
  actorName: z.string().nullable(),
  source: z.string().nullable(),
  userAgent: z.string().nullable(),
  action: z.string(),
  repository: z.string().nullable(),
  digest: z.string().nullable(),
  tag: z.string().nullable(),
  outcome: z.string(),
  reasons: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()).nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export const ChainReportView = z.object({
  ok: z.boolean(),
  events: z.number(),
  lastSeq: z.number(),
  lastHash: z.string(),
  checkpoints: z.number(),
  lastCheckpointSeq: z.number().nullable(),
  problem: z.object({ kind: z.string(), seq: z.number(), message: z.string() }).optional(),
});
export const CheckpointView = z.object({
  seq: z.number(),
  hash: z.string(),
  time: z.string(),
  keyId: z.string(),
  algorithm: z.string(),
  signature: z.string(),
});
