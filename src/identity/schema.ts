/** The kysely view of the identity tables (created by metadata migration 0100). */

export interface UsersTable {
  id: string;
  name: string;
  password_hash: string;
  admin: number;
  credential_version: number;
  created_at: string;
}

export interface ProjectsTable {
  id: string;
  name: string;
  public: number;
  created_at: string;
}

export interface ProjectMembersTable {
  project_id: string;
  user_id: string;
  role: string;
}

export interface RobotsTable {
  id: string;
  name: string;
  project_id: string;
  secret_hash: string;
  /** Comma-separated robot actions. */
  actions: string;
  expires_at: string | null;
  revoked: number;
  created_at: string;
}

export interface IdentityTables {
  users: UsersTable;
  projects: ProjectsTable;
  project_members: ProjectMembersTable;
  robots: RobotsTable;
}
