package database

// Migrations are the embedded migration files, for the tests to derive from them what each
// migration should do.
var Migrations = migrations

// PlannerSettings are the settings the pool for url sends when it connects.
func PlannerSettings(url string) (map[string]string, error) {
	u, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	cfg, err := postgresPoolConfig(Config{URL: u})
	if err != nil {
		return nil, err
	}
	return cfg.ConnConfig.RuntimeParams, nil
}
