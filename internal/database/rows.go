package database

// Rows is what both drivers' result sets (database/sql's and pgx's) have in common.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Collect reads every row into a slice of at most capacity to start with: each row is scanned
// into dest, and read turns what dest points at into a T. One set of destinations serves the
// whole result, so that scanning a row allocates nothing.
func Collect[T any](rows Rows, capacity int, dest []any, read func() (T, error)) ([]T, error) {
	out := make([]T, 0, capacity)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		v, err := read()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
