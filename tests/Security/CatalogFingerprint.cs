using System.Text;
using Dapper;
using Npgsql;

namespace Metrics.Tests.Security;

/// <summary>
/// Everything a hostile value could change in one database, as text to compare before and after:
/// schemas, relations (kind, owner, privileges, columns), functions (with a hash of their body),
/// triggers, and the contents of every table outside the system schemas (app tables, journal,
/// refresh runs, every table of metrics_staging). Also the server's roles and databases whose names
/// are not plain lower-case identifiers (what a hostile name would create; other test classes
/// create and drop plain ones meanwhile).
/// </summary>
public static class CatalogFingerprint
{
    private const string Catalog =
        """
        select line from (
            select format('schema %s owner %s acl %s', n.nspname, n.nspowner::regrole, n.nspacl)
            from pg_namespace as n
            where n.nspname !~ '^pg_(toast|temp)'
            union all
            select format('relation %s kind %s owner %s acl %s columns %s', c.oid::regclass, c.relkind, c.relowner::regrole, c.relacl,
                          (select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' order by a.attnum)
                           from pg_attribute as a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped))
            from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace
            where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
            union all
            select format('function %s owner %s acl %s definer %s body %s', p.oid::regprocedure, p.proowner::regrole, p.proacl, p.prosecdef, md5(p.prosrc))
            from pg_proc as p inner join pg_namespace as n on n.oid = p.pronamespace
            where n.nspname not in ('pg_catalog', 'information_schema')
            union all
            select format('trigger %s on %s enabled %s', t.tgname, t.tgrelid::regclass, t.tgenabled)
            from pg_trigger as t where not t.tgisinternal
            union all
            select format('role %s', r.rolname) from pg_roles as r where r.rolname !~ '^[a-z][a-z0-9_]*$'
            union all
            select format('database %s', d.datname) from pg_database as d where d.datname !~ '^[a-z][a-z0-9_]*$'
        ) as catalog(line)
        order by line collate "C"
        """;

    public static async Task<string> TakeAsync(NpgsqlConnection connection)
    {
        var text = new StringBuilder();
        foreach (var line in await connection.QueryAsync<string>(Catalog))
            text.AppendLine(line);
        var tables = await connection.QueryAsync<string>(
            """
            select c.oid::regclass::text
            from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
            order by 1
            """);
        foreach (var table in tables)
            text.AppendLine($"rows of {table}: " + await connection.ExecuteScalarAsync<string>(
                $"select count(*) || ' ' || md5(coalesce(string_agg(row_text, E'\\n' order by row_text collate \"C\"), '')) from (select t::text as row_text from {table} as t) as rows"));
        return text.ToString();
    }
}
