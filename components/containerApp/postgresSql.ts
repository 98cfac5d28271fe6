/**
 * The SQL that maps an app's managed identity to a PostgreSQL role (Entra authentication, no
 * password; IAM-1): generated here, run once by a member of the server's Entra admin group.
 */

/** Quotes a PostgreSQL identifier. */
function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
/** Quotes a PostgreSQL string literal. */
function pgLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The SQL an Entra admin of the server runs once per app: creates the app identity's role
 * (mapped to its Entra object ID, no password) and grants it data access in one database.
 */
export function postgresSetupStatements(
  roleName: string,
  principalId: string,
  database: string,
  adminGroupName: string,
  serverName: string,
): string {
  const role = pgIdent(roleName);
  return [
    `-- Run as a member of the Entra group ${adminGroupName} (server ${serverName}), connected to database postgres:`,
    `select * from pgaadauth_create_principal_with_oid(${pgLiteral(roleName)}, ${pgLiteral(principalId)}, 'service', false, false);`,
    `GRANT CONNECT ON DATABASE ${pgIdent(database)} TO ${role};`,
    `-- Then connected to database ${database}:`,
    `GRANT USAGE ON SCHEMA public TO ${role};`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role};`,
    `-- Tables created later by the role running this (e.g. the migration owner) are granted too:`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${role};`,
  ].join("\n");
}
