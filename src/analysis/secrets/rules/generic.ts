import type { SecretRule } from '../types.js';

function dbUrl(id: string, title: string, schemes: string, keywords: string[]): SecretRule {
  return {
    id, category: 'Database', title, severity: 'HIGH', keywords, filterPlaceholders: true,
    regex: `(?<![A-Za-z0-9+])(?:${schemes})://[^:/\\s@'"]{1,64}:(?<secret>[^@/\\s'"]{3,128})@[A-Za-z0-9.\\[\\]_-]+`,
    flags: 'i',
  };
}

/**
 * `name = value` where the name says it is a credential. The value must be a quoted literal, or an
 * unquoted word that holds a digit or symbol (so `password: str` and prose do not match); the
 * scanner drops placeholders (`${PASSWORD}`, `<password>`, `changeme`, `xxx`, ...).
 */
function assignment(id: string, title: string, names: string, keywords: string[], severity: SecretRule['severity']): SecretRule {
  return {
    id, category: 'General', title, severity, keywords, flags: 'i', entropy: 2.5, filterPlaceholders: true,
    regex:
      `(?:${names})["']?[ \\t]*(?:=|:=|:|=>)[ \\t]*` +
      `(?:(?<q>["'])(?<secret>[^"'\\s]{6,128})\\k<q>|(?<secret2>(?=[^\\s"'#;]*[0-9!@#%^&*+~])[^\\s"'#;,()[\\]{}<>]{6,128})(?=[\\s;,]|$))`,
  };
}

/** Connection strings and generic credential assignments; they run after the specific rules. */
export const GENERIC_RULES: SecretRule[] = [
  dbUrl('postgres-url-password', 'PostgreSQL connection URL with password', 'postgres(?:ql)?', ['postgres']),
  dbUrl('mysql-url-password', 'MySQL/MariaDB connection URL with password', 'mysql|mariadb|mysqlx', ['mysql', 'mariadb']),
  dbUrl('mongodb-url-password', 'MongoDB connection URL with password', 'mongodb(?:\\+srv)?', ['mongodb']),
  dbUrl('redis-url-password', 'Redis connection URL with password', 'rediss?', ['redis']),
  dbUrl('amqp-url-password', 'AMQP (RabbitMQ) connection URL with password', 'amqps?', ['amqp']),
  dbUrl('mssql-url-password', 'SQL Server connection URL with password', 'sqlserver|mssql', ['sqlserver', 'mssql']),
  {
    id: 'jdbc-password', category: 'Database', title: 'JDBC URL with password', severity: 'HIGH', keywords: ['jdbc:'], flags: 'i', filterPlaceholders: true,
    regex: `jdbc:[a-z0-9]+:[^\\s'"]*?[;?&]password=(?<secret>[^;&\\s'"]{3,128})`,
  },
  {
    id: 'htpasswd-hash', category: 'General', title: 'htpasswd-style password hash', severity: 'MEDIUM', keywords: ['$apr1$', '$2y$'],
    regex: `^[A-Za-z0-9._-]{1,64}:(?<secret>\\$(?:apr1|2y)\\$[./A-Za-z0-9$]{20,})$`, flags: 'm',
  },
  assignment('generic-password', 'Password assignment', 'password|passwd|passphrase|pwd', ['password', 'passwd', 'passphrase', 'pwd'], 'HIGH'),
  assignment('generic-secret', 'Secret assignment', 'secret|client_?secret|secret_?key', ['secret'], 'HIGH'),
  assignment('generic-api-key', 'API key assignment', 'api_?key|access_?key|auth_?key', ['apikey', 'api_key', 'api-key', 'accesskey', 'access_key', 'authkey', 'auth_key'], 'MEDIUM'),
  assignment('generic-token', 'Token assignment', 'auth_?token|access_?token|api_?token|bearer_?token|secret_?token', ['token'], 'MEDIUM'),
];
