-- Runs once, when the postgres container initialises an empty data directory.
-- The two databases must stay separate: each table belongs to exactly one of them.
CREATE DATABASE platform;
CREATE DATABASE userdata;
-- Roles: the `postgres` owner runs the migrations; they create switchyard_app (NOSUPERUSER NOBYPASSRLS), and the
-- migrator lets it log in with DATABASE_APP_PASSWORD, which the apps' userdata pools use (see README).
