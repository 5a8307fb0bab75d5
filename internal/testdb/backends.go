package testdb

// Backends lists the drivers to test: SQLite, and PostgreSQL (see
// postgres.go).
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite", Open: OpenSQLite, URL: SQLiteURL},
		{Name: "postgres", Open: OpenPostgres, URL: PostgresURL},
	}
}
