-- Runs once, when the postgres container initialises an empty data directory.
-- The two databases must stay separate: each table belongs to exactly one of them.
CREATE DATABASE platform;
CREATE DATABASE userdata;
-- Roles: the `postgres` owner runs the migrations (compose's one-shot `migrate` service); they create
-- switchyard_app (NOSUPERUSER NOBYPASSRLS, DML only) and the migrate step lets it log in with
-- DATABASE_APP_PASSWORD. The gateway and the worker log in to both databases as that role (see README).
