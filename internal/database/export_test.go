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

// Checkpoint runs one tick of the SQLite database's checkpointer, as its ticker does.
func (db *SQLiteDB) Checkpoint() error { return db.checkpoints.checkpoint() }

// RestartFrames is the WAL length from which a checkpoint restarts it.
const RestartFrames = restartFrames
