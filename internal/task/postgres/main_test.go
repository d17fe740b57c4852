package postgres_test

import (
	"testing"

	"todo/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
