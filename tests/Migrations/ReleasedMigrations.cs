namespace Metrics.Tests.Migrations;

/// <summary>
/// Every migration a release shipped, with the SHA-256 of its text (UTF-8, line endings as LF).
/// Databases were migrated with exactly this text, so it never changes again: a change to a
/// released object is a new migration. A release appends its new migrations here; an entry
/// is never edited or removed. Checked by <see cref="Released_migrations"/>.
/// </summary>
public static class ReleasedMigrations
{
    public static readonly IReadOnlyList<(string File, string Sha256, string Release)> Scripts =
    [
        ("0001_create_metrics_schema.sql", "fb38bce5f006e63dd23a326054b84c40def36aeb40452147191aad9de0f7d31e", "33a257d"),
        ("0002_create_parse_functions.sql", "d6a9e70cd02f0b468e1e2fd8a358e65943b939e8df4bb176013a60caeaa545a5", "33a257d"),
        ("0003_create_refresh_run.sql", "b1860a7835bf1c5cdb518a4ac1ea6fd9b0af957290661f3d4bce7e3be52d16ad", "33a257d"),
        ("0004_create_staging_views.sql", "97b5c75c8a25a3038b49f88448a669d3dca8cd7aad6fbe77814e1b97c4d51d54", "33a257d"),
        ("0005_create_metric_materialized_views.sql", "d8a1978ca456736faaf9073ebf6513d815258527d40b329fdebf52738edfae04", "33a257d"),
        ("0006_create_daily_and_current_views.sql", "d9baae873b16d819f968e3bd12f4f5ebae75a7282a8e81a16c729e8fb16e6f80", "33a257d"),
        ("0007_create_app_table_indexes.sql", "17d9ad3445228b8b6bc57775f232e4a3a337ea6f2c79cdde982da84cac0f2213", "33a257d"),
        ("0008_create_incremental_refresh_tables.sql", "c9a8620cadf8c7e2a51fef7898a16baef9eb36d75535a81cc93ff2556d94e856", "cdefcea"),
        ("0009_parse_each_escalation_value_once.sql", "bb07d478e9a9e813fa9b0e6b1f2c9133be20b26ca4c252a7019a8867d3f0537d", "cc11dc5"),
        ("0010_unlogged_parsed_rows.sql", "c99500aa82b85bb48b8480cc3bb5e92a360808e66c02a6819dbf0017d2f2a26e", "cc11dc5"),
        ("0011_keep_partials_by_day.sql", "165197f9676d2a516906daffc94aad093b128b57cd35a92fc89497e7a01e314f", "ecc7812"),
        ("0012_check_days_and_own_facts.sql", "fb089607281c143a0a79cc8cadb727e9f6b97a80712f078cf552a119a3900136", "59e2e9d"),
        ("0013_index_ids_by_input_day.sql", "6ebc8f8e91c1d447fd18995c33a49b1d7e5c1f24cb58f8accaea20d7f6dc3437", "59e2e9d"),
    ];
}
