/** Naming rules for projects, users and robot accounts. */

/** Project names follow the first path component of an OCI repository name. */
export const PROJECT_NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** User names: letters, digits and `._-`, starting with a letter or digit; never `robot$…`. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The short part of a robot name. */
export const ROBOT_SHORT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const ROBOT_PREFIX = 'robot$';

/** The project a repository belongs to: its first path component. */
export function projectOfRepository(repository: string): string {
  const slash = repository.indexOf('/');
  return slash === -1 ? repository : repository.slice(0, slash);
}

export function robotAccountName(project: string, name: string): string {
  return `${ROBOT_PREFIX}${project}+${name}`;
}

/** Splits `robot$project+name`; undefined when the string is not a robot account name. */
export function parseRobotAccountName(account: string): { project: string; name: string } | undefined {
  if (!account.startsWith(ROBOT_PREFIX)) return undefined;
  const rest = account.slice(ROBOT_PREFIX.length);
  const plus = rest.indexOf('+');
  if (plus <= 0 || plus === rest.length - 1) return undefined;
  return { project: rest.slice(0, plus), name: rest.slice(plus + 1) };
}
