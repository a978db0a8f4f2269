-- Runs once, when the postgres container initialises an empty data directory.
-- The two databases must stay separate: each table belongs to exactly one of them.
CREATE DATABASE platform;
CREATE DATABASE userdata;
