package database

// Migrations are the embedded migration files, for the tests to derive from them what each
// migration should do.
var Migrations = migrations
