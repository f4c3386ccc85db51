import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { IdentityError } from './errors.js';
import { PasswordHasher, randomSecret } from './password.js';
import { PROJECT_NAME, ROBOT_SHORT_NAME, USER_NAME, parseRobotAccountName, robotAccountName } from './names.js';
import { insertOrConflict, toProject, toRobot, toUser, validPassword } from './rows.js';
import type { IdentityTables } from './schema.js';
import { ROBOT_ACTIONS, isRole } from './types.js';
import type { Member, Project, Robot, RobotAction, Role, User } from './types.js';

export interface Paging {
  offset: number;
  limit: number;
}

export interface Paged<T> {
  items: T[];
  total: number;
}

/** Who is asking for a project listing: decides which private projects are visible. */
export type ProjectViewer = { kind: 'all' } | { kind: 'public' } | { kind: 'user'; userId: string } | { kind: 'robot'; projectId: string };

/**
 * Users, projects, memberships and robot accounts over kysely (SQLite or PostgreSQL).
 * Pass the metadata store's Kysely instance (cast to `Kysely<IdentityTables>`).
 */
export class IdentityStore {
  constructor(
    private readonly db: Kysely<IdentityTables>,
    readonly hasher: PasswordHasher = new PasswordHasher(),
  ) {}

  // ---- users

  async createUser(input: { name: string; password: string; admin?: boolean }): Promise<User> {
    if (!USER_NAME.test(input.name)) throw new IdentityError('INVALID', `invalid user name "${input.name}"`, 'name');
    validPassword(input.password);
    if (await this.getUser(input.name)) throw new IdentityError('CONFLICT', `user "${input.name}" exists`, 'name');
    const row = {
      id: randomUUID(),
      name: input.name,
      password_hash: await this.hasher.hash(input.password),
      admin: input.admin ? 1 : 0,
      credential_version: 1,
      created_at: new Date().toISOString(),
    };
    await insertOrConflict(
      () => this.db.insertInto('users').values(row).execute(),
      async () => (await this.getUser(input.name)) !== undefined,
      new IdentityError('CONFLICT', `user "${input.name}" exists`, 'name'),
    );
    return toUser(row);
  }

  async getUser(name: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toUser(row);
  }

  async getUserById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async listUsers(page: Paging): Promise<Paged<User>> {
    const total = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await this.db.selectFrom('users').selectAll().orderBy('name').limit(page.limit).offset(page.offset).execute();
    return { items: rows.map(toUser), total: Number(total.n) };
  }

  async countAdmins(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('admin', '=', 1).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Deletes a user and their memberships. The last system administrator cannot be deleted. */
  async deleteUser(name: string): Promise<void> {
    const user = await this.requireUser(name);
    if (user.admin && (await this.countAdmins()) <= 1) {
      throw new IdentityError('CONFLICT', 'the last system administrator cannot be deleted', 'name');
    }
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('project_members').where('user_id', '=', user.id).execute();
      await tx.deleteFrom('users').where('id', '=', user.id).execute();
    });
  }

  /** Changes the password and invalidates every refresh token issued before. */
  async setPassword(name: string, password: string): Promise<void> {
    const user = await this.requireUser(name);
    validPassword(password);
    const encoded = await this.hasher.hash(password);
    await this.db
      .updateTable('users')
      .set((eb) => ({ password_hash: encoded, credential_version: eb('credential_version', '+', 1) }))
      .where('id', '=', user.id)
      .execute();
  }

  async setAdmin(name: string, admin: boolean): Promise<void> {
    const user = await this.requireUser(name);
    if (!admin && user.admin && (await this.countAdmins()) <= 1) {
      throw new IdentityError('CONFLICT', 'the last system administrator cannot lose the flag', 'admin');
    }
    await this.db.updateTable('users').set({ admin: admin ? 1 : 0 }).where('id', '=', user.id).execute();
  }

  /** The user when the password is right; constant work whether or not the user exists. */
  async verifyUserPassword(name: string, password: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return this.hasher.verifyNothing(password).then(() => undefined);
    return (await this.hasher.verify(row.password_hash, password)) ? toUser(row) : undefined;
  }

  /**
   * Creates the `admin` account on first start (when there are no users at all).
   * Returns the password once so serve can print it; null when nothing was created.
   */
  async ensureInitialAdmin(envPassword?: string): Promise<{ name: string; password: string; generated: boolean } | null> {
    const any = await this.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) return null;
    const password = envPassword && envPassword.length > 0 ? envPassword : randomSecret(18);
    try {
      await this.createUser({ name: 'admin', password, admin: true });
    } catch (err) {
      // Several processes starting on an empty database: one creates the admin, the others step back.
      if (err instanceof IdentityError && err.code === 'CONFLICT') return null;
      throw err;
    }
    return { name: 'admin', password, generated: !envPassword };
  }

  private async requireUser(name: string): Promise<User> {
    const user = await this.getUser(name);
    if (!user) throw new IdentityError('NOT_FOUND', `user "${name}" not found`, 'name');
    return user;
  }

  // ---- projects

  async createProject(input: { name: string; public?: boolean }): Promise<Project> {
    if (!PROJECT_NAME.test(input.name) || input.name.length > 128) {
      throw new IdentityError('INVALID', `invalid project name "${input.name}"`, 'name');
    }
    if (await this.getProject(input.name)) throw new IdentityError('CONFLICT', `project "${input.name}" exists`, 'name');
    const row = { id: randomUUID(), name: input.name, public: input.public ? 1 : 0, created_at: new Date().toISOString() };
    await insertOrConflict(
      () => this.db.insertInto('projects').values(row).execute(),
      async () => (await this.getProject(input.name)) !== undefined,
      new IdentityError('CONFLICT', `project "${input.name}" exists`, 'name'),
    );
    return toProject(row);
  }

  async getProject(name: string): Promise<Project | undefined> {
    const row = await this.db.selectFrom('projects').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toProject(row);
  }

  async requireProject(name: string): Promise<Project> {
    const project = await this.getProject(name);
    if (!project) throw new IdentityError('NOT_FOUND', `project "${name}" not found`, 'project');
    return project;
  }

  /** Projects the viewer may see, by name. Private projects appear only to members and admins. */
  async listProjects(viewer: ProjectViewer, page: Paging): Promise<Paged<Project>> {
    let q = this.db.selectFrom('projects');
    if (viewer.kind === 'public') q = q.where('public', '=', 1);
    if (viewer.kind === 'user') {
      const userId = viewer.userId;
      q = q.where((eb) =>
        eb.or([
          eb('public', '=', 1),
          eb('id', 'in', eb.selectFrom('project_members').select('project_id').where('user_id', '=', userId)),
        ]),
      );
    }
    if (viewer.kind === 'robot') {
      const projectId = viewer.projectId;
      q = q.where((eb) => eb.or([eb('public', '=', 1), eb('id', '=', projectId)]));
    }
    const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await q.selectAll().orderBy('name').limit(page.limit).offset(page.offset).execute();
    return { items: rows.map(toProject), total: Number(total.n) };
  }

  async setProjectPublic(name: string, isPublic: boolean): Promise<Project> {
    const project = await this.requireProject(name);
    await this.db.updateTable('projects').set({ public: isPublic ? 1 : 0 }).where('id', '=', project.id).execute();
    return { ...project, public: isPublic };
  }

  /** Deletes the project with its memberships and robot accounts (not its images). */
  async deleteProject(name: string): Promise<void> {
    const project = await this.requireProject(name);
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('project_members').where('project_id', '=', project.id).execute();
      await tx.deleteFrom('robots').where('project_id', '=', project.id).execute();
      await tx.deleteFrom('projects').where('id', '=', project.id).execute();
    });
  }

  // ---- members

  async addMember(projectName: string, userName: string, role: Role): Promise<Member> {
    if (!isRole(role)) throw new IdentityError('INVALID', `unknown role "${String(role)}"`, 'role');
    const project = await this.requireProject(projectName);
    const user = await this.requireUser(userName);
    const existing = await this.roleOf(project.id, user.id);
    if (existing) throw new IdentityError('CONFLICT', `"${userName}" is already a member of "${projectName}"`, 'user');
    await insertOrConflict(
      () => this.db.insertInto('project_members').values({ project_id: project.id, user_id: user.id, role }).execute(),
      async () => (await this.roleOf(project.id, user.id)) !== null,
      new IdentityError('CONFLICT', `"${userName}" is already a member of "${projectName}"`, 'user'),
    );
    return { projectId: project.id, userId: user.id, userName: user.name, role };
  }

  async listMembers(projectName: string, page: Paging): Promise<Paged<Member>> {
    const project = await this.requireProject(projectName);
    const q = this.db
      .selectFrom('project_members')
      .innerJoin('users', 'users.id', 'project_members.user_id')
      .where('project_members.project_id', '=', project.id);
    const total = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await q
      .select(['project_members.project_id', 'project_members.user_id', 'project_members.role', 'users.name'])
      .orderBy('users.name')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return {
      items: rows.map((r) => ({ projectId: r.project_id, userId: r.user_id, userName: r.name, role: r.role as Role })),
      total: Number(total.n),
    };
  }

  async setMemberRole(projectName: string, userName: string, role: Role): Promise<Member> {
    if (!isRole(role)) throw new IdentityError('INVALID', `unknown role "${String(role)}"`, 'role');
    const { project, user } = await this.requireMembership(projectName, userName);
    await this.db
      .updateTable('project_members')
      .set({ role })
      .where('project_id', '=', project.id)
      .where('user_id', '=', user.id)
      .execute();
    return { projectId: project.id, userId: user.id, userName: user.name, role };
  }

  async removeMember(projectName: string, userName: string): Promise<void> {
    const { project, user } = await this.requireMembership(projectName, userName);
    await this.db.deleteFrom('project_members').where('project_id', '=', project.id).where('user_id', '=', user.id).execute();
  }

  async roleOf(projectId: string, userId: string): Promise<Role | null> {
    const row = await this.db
      .selectFrom('project_members')
      .select('role')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && isRole(row.role) ? row.role : null;
  }

  private async requireMembership(projectName: string, userName: string): Promise<{ project: Project; user: User }> {
    const project = await this.requireProject(projectName);
    const user = await this.requireUser(userName);
    if (!(await this.roleOf(project.id, user.id))) {
      throw new IdentityError('NOT_FOUND', `"${userName}" is not a member of "${projectName}"`, 'user');
    }
    return { project, user };
  }

  // ---- robots

  /** Creates a robot account; the secret is returned here once and only its hash is kept. */
  async createRobot(input: {
    project: string;
    name: string;
    actions: RobotAction[];
    expiresAt?: Date | null;
  }): Promise<{ robot: Robot; secret: string }> {
    if (!ROBOT_SHORT_NAME.test(input.name)) throw new IdentityError('INVALID', `invalid robot name "${input.name}"`, 'name');
    const actions = [...new Set(input.actions)];
    if (actions.length === 0 || !actions.every((a) => (ROBOT_ACTIONS as readonly string[]).includes(a))) {
      throw new IdentityError('INVALID', `robot actions must be a non-empty subset of ${ROBOT_ACTIONS.join(', ')}`, 'actions');
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new IdentityError('INVALID', 'expiry must be in the future', 'expires_at');
    }
    const project = await this.requireProject(input.project);
    const fullName = robotAccountName(project.name, input.name);
    const clash = await this.db.selectFrom('robots').select('id').where('name', '=', fullName).executeTakeFirst();
    if (clash) throw new IdentityError('CONFLICT', `robot "${fullName}" exists`, 'name');
    const secret = randomSecret(32);
    const row = {
      id: randomUUID(),
      name: fullName,
      project_id: project.id,
      secret_hash: await this.hasher.hash(secret),
      actions: actions.join(','),
      expires_at: input.expiresAt ? input.expiresAt.toISOString() : null,
      revoked: 0,
      created_at: new Date().toISOString(),
    };
    await insertOrConflict(
      () => this.db.insertInto('robots').values(row).execute(),
      async () => (await this.getRobot(fullName)) !== undefined,
      new IdentityError('CONFLICT', `robot "${fullName}" exists`, 'name'),
    );
    return { robot: toRobot({ ...row, project_name: project.name }), secret };
  }

  private robotsQuery() {
    return this.db
      .selectFrom('robots')
      .innerJoin('projects', 'projects.id', 'robots.project_id')
      .selectAll('robots')
      .select('projects.name as project_name');
  }

  async listRobots(projectName: string, page: Paging): Promise<Paged<Robot>> {
    const project = await this.requireProject(projectName);
    const total = await this.db
      .selectFrom('robots')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('project_id', '=', project.id)
      .executeTakeFirstOrThrow();
    const rows = await this.robotsQuery()
      .where('robots.project_id', '=', project.id)
      .orderBy('robots.name')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return { items: rows.map(toRobot), total: Number(total.n) };
  }

  /** Looks a robot up by its full name or by project + short name. */
  async getRobot(fullName: string): Promise<Robot | undefined> {
    const row = await this.robotsQuery().where('robots.name', '=', fullName).executeTakeFirst();
    return row && toRobot(row);
  }

  async revokeRobot(projectName: string, name: string): Promise<Robot> {
    const project = await this.requireProject(projectName);
    const fullName = parseRobotAccountName(name) ? name : robotAccountName(project.name, name);
    const robot = await this.getRobot(fullName);
    if (!robot || robot.projectId !== project.id) throw new IdentityError('NOT_FOUND', `robot "${fullName}" not found`, 'name');
    await this.db.updateTable('robots').set({ revoked: 1 }).where('id', '=', robot.id).execute();
    return { ...robot, revoked: true };
  }

  /**
   * The robot when the secret is right (revoked and expired robots are returned too, so the
   * caller can say why it refuses); constant work whether or not the robot exists.
   */
  async verifyRobotSecret(fullName: string, secret: string): Promise<Robot | undefined> {
    const row = await this.db
      .selectFrom('robots')
      .innerJoin('projects', 'projects.id', 'robots.project_id')
      .selectAll('robots')
      .select('projects.name as project_name')
      .where('robots.name', '=', fullName)
      .executeTakeFirst();
    if (!row) return this.hasher.verifyNothing(secret).then(() => undefined);
    return (await this.hasher.verify(row.secret_hash, secret)) ? toRobot(row) : undefined;
  }
}
